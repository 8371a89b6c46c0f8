// `lockstep exec PROGRAM`: runs one VM alone, UART to stdout, the guest's exit code as ours.

import { Machine } from '../machine/machine';
import { runStandalone } from '../machine/standalone';
import { Io, intFlag, parseArgs, readProgram, UsageError } from './io';

export const EXEC_USAGE = 'lockstep exec PROGRAM [--ram MiB] [--max-instructions N] [--seed N] [--stats]';

export function execCommand(argv: string[], io: Io): number {
  const args = parseArgs(argv, ['stats'], ['ram', 'max-instructions', 'seed']);
  if (args.positional.length !== 1) throw new UsageError(`usage: ${EXEC_USAGE}`);
  const ramMiB = intFlag(args, 'ram', 16, 1, 1024);
  const maxInstructions = intFlag(args, 'max-instructions', 10_000_000_000, 1);
  const program = readProgram(args.positional[0]);
  for (const w of program.warnings ?? []) io.stderr(`lockstep: warning: ${w}\n`);
  const machine = new Machine({ env: { read: () => 0, output: () => undefined }, ramSize: ramMiB * 1024 * 1024 });
  machine.load(program);
  let line: number[] = [];
  const flush = () => {
    if (line.length > 0) io.stdout(Buffer.from(line).toString('latin1'));
    line = [];
  };
  const startNs = process.hrtime.bigint();
  const result = runStandalone(machine, {
    maxInstructions, seed: intFlag(args, 'seed', 1),
    onUart: (b) => {
      line.push(b);
      if (b === 10 || line.length >= 4096) flush();
    },
  });
  flush();
  const wallMs = Number(process.hrtime.bigint() - startNs) / 1e6;
  if (args.flags.has('stats')) {
    const mips = wallMs > 0 ? result.instret / wallMs / 1000 : 0;
    io.stderr(`${JSON.stringify({ instret: result.instret, wallMs: Math.round(wallMs * 1000) / 1000, mips: Math.round(mips * 10) / 10, reason: result.reason, exitCode: result.exitCode })}\n`);
  }
  switch (result.reason) {
    case 'exit': return result.exitCode ?? 0;
    case 'fatal': io.stderr(`lockstep: guest stopped: ${machine.fatal?.message ?? 'fatal trap'}\n`); return 3;
    case 'limit': io.stderr(`lockstep: guest still running after ${result.instret} instructions (--max-instructions)\n`); return 4;
    case 'deadlock': io.stderr(`lockstep: guest waits for an interrupt that can never come (pc 0x${machine.pc.toString(16)}, ${result.instret} instructions)\n`); return 5;
  }
}

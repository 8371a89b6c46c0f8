// `lockstep exec PROGRAM`: runs one VM alone, UART to stdout, the guest's exit code as ours (on a terminal: progress on stderr, Ctrl-C stops).

import { Machine } from '../machine/machine';
import { runStandalone, StandaloneRun, type StandaloneResult, type StandaloneRunOptions } from '../machine/standalone';
import { readFileSync } from 'node:fs';
import { Io, intFlag, parseArgs, readProgram, stringFlag, UsageError } from './io';
import { SECTOR_BYTES } from '../machine/devices/disk';
import { ExecPacing, formatInterrupted, ProgressLine, runWithProgress, SYSTEM_PACING } from './exec-progress';

export const EXEC_USAGE = 'lockstep exec PROGRAM [--ram MiB] [--disk IMAGE] [--max-instructions N] [--seed N] [--stats]';

/** Exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells report it). */
const EXIT_INTERRUPTED = 130;
const UART_CHUNK_BYTES = 4096;

/** The guest's UART bytes to stdout a line at a time (or UART_CHUNK_BYTES at a time); `beforeWrite` runs before each write. */
class UartLines {
  private line: number[] = [];
  /** The last byte written ended a line (nothing of the guest's is on the terminal's current line). */
  atLineStart = true;

  constructor(private readonly io: Io, private readonly beforeWrite: () => void = () => undefined) {}

  push(b: number): void {
    this.line.push(b);
    if (b === 10 || this.line.length >= UART_CHUNK_BYTES) this.flush();
  }

  flush(): void {
    if (this.line.length === 0) return;
    this.beforeWrite();
    this.io.stdout(Buffer.from(this.line).toString('latin1'));
    this.atLineStart = this.line[this.line.length - 1] === 10;
    this.line = [];
  }
}

export function execCommand(argv: string[], io: Io, pacing: ExecPacing = SYSTEM_PACING): number | Promise<number> {
  const args = parseArgs(argv, ['stats'], ['ram', 'disk', 'max-instructions', 'seed']);
  if (args.positional.length !== 1) throw new UsageError(`usage: ${EXEC_USAGE}`);
  const ramMiB = intFlag(args, 'ram', 16, 1, 1024);
  const maxInstructions = intFlag(args, 'max-instructions', 10_000_000_000, 1);
  const seed = intFlag(args, 'seed', 1, 0, 0xffffffff);
  const program = readProgram(args.positional[0]);
  for (const w of program.warnings ?? []) io.stderr(`lockstep: warning: ${w}\n`);
  const diskImage = readDiskImage(stringFlag(args, 'disk', 'a disk image file')) ?? program.diskImage?.slice();
  const diskSectors = diskImage === undefined ? undefined : diskImage.length / SECTOR_BYTES;
  const machine = new Machine({ env: { read: () => 0, output: () => undefined }, ramSize: ramMiB * 1024 * 1024, diskSectors });
  machine.load(program);
  const stats = args.flags.has('stats');
  const startNs = process.hrtime.bigint();
  if (!io.isTty) {
    const uart = new UartLines(io);
    const result = runStandalone(machine, { maxInstructions, seed, diskImage, onUart: (b) => uart.push(b) });
    uart.flush();
    return finish(io, machine, result, stats, startNs);
  }
  return execOnTerminal(io, machine, { maxInstructions, seed, diskImage }, pacing).then(({ result, uartBytes }) => {
    if (result !== null) return finish(io, machine, result, stats, startNs);
    io.stderr(`${formatInterrupted(machine.instret, uartBytes)}\n`);
    return EXIT_INTERRUPTED;
  });
}

/** The disk's contents from `path` (whole 512-byte sectors), over any the program carries; the guest's writes change this copy only, never the file. */
function readDiskImage(path: string | undefined): Uint8Array | undefined {
  if (path === undefined) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UsageError(`--disk ${path}: ${(e as Error).message}`);
  }
  if (bytes.length === 0 || bytes.length % SECTOR_BYTES !== 0) throw new UsageError(`--disk ${path}: ${bytes.length} bytes is not a whole number of ${SECTOR_BYTES}-byte sectors`);
  return new Uint8Array(bytes);
}

/** A run on a terminal: the progress line on stderr (cleared before the guest's lines and at the end); null result at Ctrl-C. */
async function execOnTerminal(io: Io, machine: Machine, opts: StandaloneRunOptions, pacing: ExecPacing): Promise<{ result: StandaloneResult | null; uartBytes: number }> {
  let progress: ProgressLine | null = null;
  const uart = new UartLines(io, () => progress?.clear());
  progress = new ProgressLine(io, pacing.nowMs(), () => uart.atLineStart);
  const run = new StandaloneRun(machine, { ...opts, onUart: (b) => uart.push(b) });
  const result = await runWithProgress(run, progress, pacing);
  uart.flush();
  if (result === null && !uart.atLineStart) io.stderr('\n'); // the summary starts a line of its own
  return { result, uartBytes: run.env.uartBytes };
}

/** Prints --stats and the reason a run stopped; returns the exit code. */
function finish(io: Io, machine: Machine, result: StandaloneResult, stats: boolean, startNs: bigint): number {
  const wallMs = Number(process.hrtime.bigint() - startNs) / 1e6;
  if (stats) {
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

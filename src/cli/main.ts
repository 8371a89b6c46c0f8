// The `lockstep` command line: dispatches subcommands, turns every error into a message and an exit code.

import { Jit } from '../machine/jit';
import { execCommand, EXEC_USAGE } from './exec-command';
import { runCommand, RUN_USAGE } from './run-command';
import { replayCommand, REPLAY_USAGE } from './replay-command';
import { chaosCommand, CHAOS_USAGE, runChaosWorkerIfWorker } from './chaos-command';
import { isSecondaryWorker } from './parallel-secondary';
import { asmCommand, ASM_USAGE } from './asm-command';
import { newCommand, NEW_USAGE } from './new-command';
import { dtbCommand, DTB_USAGE } from './dtb-command';
import { Io, UsageError } from './io';
import { ScenarioError } from '../ft/scenario';
import { ProgramLoadError } from '../asm/load-program';
import { ProgramFitError } from '../machine/program';

/** Each command's synopsis, for `lockstep --help` and `lockstep COMMAND --help`. */
const SYNOPSES: Record<string, string> = {
  new: NEW_USAGE, exec: EXEC_USAGE, run: RUN_USAGE, chaos: CHAOS_USAGE, replay: REPLAY_USAGE, asm: ASM_USAGE, dtb: DTB_USAGE,
};

const USAGE = `Lockstep: fault-tolerant VM pairs, deterministic and debuggable.

usage:
${Object.values(SYNOPSES).map((u) => `  ${u}`).join('\n')}

exit codes: 0 success · 1 a checker failed (run, chaos, replay) · 2 bad input, said in one line · 3 replay
--verify found another trace · exec: the guest's own exit code, 3 a fatal guest trap, 4 --max-instructions
reached, 5 waits for an interrupt that cannot come · 130 interrupted (Ctrl-C) · 70 an internal error (a bug:
please report it with the command line)
`;

type Command = (argv: string[], io: Io) => number | Promise<number>;

const COMMANDS: Record<string, Command> = {
  new: newCommand,
  exec: execCommand,
  run: runCommand,
  chaos: chaosCommand,
  replay: replayCommand,
  asm: (argv, io) => asmCommand(argv, io),
  dtb: dtbCommand,
};

export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE);
    return name === undefined ? 2 : 0;
  }
  const cmd = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (cmd === undefined) {
    io.stderr(`lockstep: unknown command ${JSON.stringify(name)} (one of ${Object.keys(COMMANDS).join(', ')}; lockstep --help shows how to use them)\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`usage: ${SYNOPSES[name]}\n`);
    return 0;
  }
  try {
    return await cmd(rest, io);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ScenarioError || e instanceof ProgramLoadError || e instanceof ProgramFitError) {
      io.stderr(`lockstep ${name}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

/** Entry point of the `lockstep` binary. */
export function cliMain(): void {
  // LOCKSTEP_JIT=js compiles hot guest code to JavaScript instead of WebAssembly (a diagnostic: results are identical).
  if (process.env.LOCKSTEP_JIT === 'js' || process.env.LOCKSTEP_JIT === 'wasm') Jit.backendDefault = process.env.LOCKSTEP_JIT;
  if (isSecondaryWorker() || runChaosWorkerIfWorker()) return;
  // `lockstep run … | head`: a closed pipe ends the output quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const io: Io = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), isTty: process.stderr.isTTY === true };
  main(process.argv.slice(2), io).then(
    (code) => { process.exitCode = code; },
    (e) => { process.stderr.write(`lockstep: internal error: ${(e as Error).stack ?? e}\n`); process.exitCode = 70; },
  );
}

if (require.main === module) cliMain();

// `lockstep new DIR`: a ready guest project in a new folder — C program, start code, Makefile, failover scenario, VS Code launch configuration.

import { basename, resolve } from 'node:path';
import { parseArgs, UsageError, type Io } from './io';
import { findCommonDir, guestProject, programName, readCommon, writeProject } from './new-project';

export const NEW_USAGE = 'lockstep new DIR';

export function newCommand(argv: string[], io: Io): number {
  const args = parseArgs(argv, [], []);
  if (args.positional.length !== 1) throw new UsageError(`expected one folder: ${NEW_USAGE}`);
  const dir = args.positional[0];
  if (dir.trim() === '') throw new UsageError('the folder name is empty');
  const common = findCommonDir();
  if (common === undefined) throw new UsageError("this installation lacks Lockstep's examples/common (reinstall Lockstep)");
  const name = programName(basename(resolve(dir)));
  try {
    writeProject(dir, guestProject(name, readCommon(common)));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  io.stdout(`created ${dir}: ${name}.c, lockstep/ (start code, linker script, header), Makefile, scenario.json, .vscode/launch.json
next:
  cd ${dir}
  make                          # needs riscv64-unknown-elf-gcc (or: make TOOLCHAIN=clang)
  lockstep run scenario.json    # protected, with a host crash at 100 ms
or open the folder in VS Code, run make, and press F5
`);
  return 0;
}

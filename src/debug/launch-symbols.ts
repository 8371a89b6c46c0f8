// The launch's symbol files, read and checked: `symbolFile` (the ELF describing the program's code: a kernel's vmlinux) and `userSymbolFiles` (a Linux guest's user-space programs' ELFs, by process name).

import { readFileSync } from 'node:fs';
import { resolve, isAbsolute } from 'node:path';
import { loadElf, loadElfSymbols, type SymbolFile } from '../machine/elf';
import type { UserSymbolFile } from './user-spaces';

export class LaunchError extends Error {}

/** The kernel's TASK_COMM_LEN less its NUL: the longest process name (a longer program name is cut to it). */
const COMM_MAX = 15;

/** The `symbolFile` launch argument: an ELF read for its symbols, lines and DWARF only (GDB's `symbol-file`). */
export function readSymbolFile(v: unknown, cwd: string): { path: string; bytes: Uint8Array; read: SymbolFile } | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '') throw new LaunchError('symbolFile: must be the path of an ELF file (a kernel\'s vmlinux)');
  const path = isAbsolute(v) ? v : resolve(cwd, v);
  const bytes = readOrThrow('symbolFile', path);
  try {
    return { path, bytes, read: loadElfSymbols(bytes, path) };
  } catch (e) {
    throw new LaunchError(`symbolFile: ${path}: ${(e as Error).message}`);
  }
}

/**
 * The `userSymbolFiles` launch argument: `{ "init": "init.elf" }`, each process name (the kernel's task comm) with the
 * ELF of the program it runs, whose symbols, lines and DWARF describe its user-space code. It needs `symbolFile` (the
 * kernel's DWARF says where a task keeps its name).
 */
export function readUserSymbolFiles(v: unknown, cwd: string, hasSymbolFile: boolean): UserSymbolFile[] | undefined {
  if (v === undefined) return undefined;
  const what = 'userSymbolFiles: must map process names to ELF files, e.g. {"init": "init.elf"}';
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new LaunchError(what);
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > 0 && !hasSymbolFile) throw new LaunchError('userSymbolFiles: needs symbolFile (the kernel\'s vmlinux, whose DWARF says where a task keeps its name)');
  return entries.map(([name, file]) => {
    if (name === '' || name.length > COMM_MAX || name.includes('/')) {
      throw new LaunchError(`userSymbolFiles: ${JSON.stringify(name)} is not a process name (the kernel's task name: 1 to ${COMM_MAX} characters, no "/"; the program file's name as run, cut to ${COMM_MAX})`);
    }
    if (typeof file !== 'string' || file.trim() === '') throw new LaunchError(`userSymbolFiles.${name}: ${what.slice('userSymbolFiles: '.length)}`);
    const path = isAbsolute(file) ? file : resolve(cwd, file);
    const bytes = readOrThrow(`userSymbolFiles.${name}`, path);
    try {
      return { name, path, bytes, program: loadElf(bytes, path) };
    } catch (e) {
      throw new LaunchError(`userSymbolFiles.${name}: ${path}: ${(e as Error).message}`);
    }
  });
}

function readOrThrow(what: string, path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new LaunchError(`${what}: cannot read ${path}: ${(e as Error).message}`);
  }
}

// Shared CLI plumbing: argument parsing, reading program and scenario files, checking and writing output paths, error reporting.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, Stats, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Program } from '../machine/program';
import { loadProgramBytes } from '../asm/load-program';
import { parseScenario, Scenario, ScenarioError } from '../ft/scenario';

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTty: boolean;
}

export class UsageError extends Error {}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

/**
 * Parses `--name value`, `--name=value` and boolean `--name` (listed in `booleans`). A value that is missing (the
 * line ends, or the next word is an option) is kept as an empty one: the option's reader says what it expects.
 */
export function parseArgs(argv: string[], booleans: string[], known: string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
    if (booleans.includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value, got ${JSON.stringify(inline)}`);
      flags.set(name, true);
      continue;
    }
    if (!known.includes(name)) throw new UsageError(`unknown option --${name}`);
    const next = argv[i + 1];
    const takesNext = inline === undefined && next !== undefined && !next.startsWith('--');
    if (takesNext) i++;
    flags.set(name, inline ?? (takesNext ? next : ''));
  }
  return { positional, flags };
}

/** The value of a value-taking option, or undefined when it was not given; an empty value is an error naming what it `expects`. */
export function stringFlag(args: ParsedArgs, name: string, expects?: string): string | undefined {
  const v = args.flags.get(name);
  if (v === undefined) return undefined;
  if (v === true || v.trim() === '') throw new UsageError(`--${name} needs a value${expects === undefined ? '' : `: ${expects}`}`);
  return v;
}

/** An integer option from `min` to `max`: empty values, non-numbers, fractions and numbers out of range are errors. */
export function intFlag(args: ParsedArgs, name: string, dflt: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = args.flags.get(name);
  if (v === undefined) return dflt;
  return parseIntValue(`--${name}`, v === true ? '' : v, min, max);
}

/** The integer `v` given to option `flag` (as Number reads it: 42, 0x2a, 1e6), from `min` to `max`, or a UsageError naming the option. */
export function parseIntValue(flag: string, v: string, min: number, max: number): number {
  const expects = `an integer from ${min} to ${max}`;
  if (v.trim() === '') throw new UsageError(`${flag} needs a value: ${expects}`);
  const n = Number(v);
  if (v.trim() !== v || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} expects ${expects}, got ${JSON.stringify(v)}`);
  return n === 0 ? 0 : n; // -0 → 0
}

/** A file option checked up front (its folder exists and takes files, it is not a folder), or undefined when not given. */
export function outputFileFlag(args: ParsedArgs, name: string): string | undefined {
  const path = stringFlag(args, name, 'a file to write');
  if (path !== undefined) checkOutputFile(`--${name}`, path);
  return path;
}

/** A folder option checked up front (a folder that takes files, or one its existing parent folder can take), or undefined. */
export function outputDirFlag(args: ParsedArgs, name: string): string | undefined {
  const path = stringFlag(args, name, 'a folder to write into');
  if (path !== undefined) checkOutputDir(`--${name}`, path);
  return path;
}

export function readProgram(path: string): Program {
  return readProgramFile(path).program;
}

/**
 * The program and the bytes it came from (recordings keep the bytes). The command line only runs
 * programs, so an ELF's line table is left unread (8-45 ms of a cold start for a -g build).
 */
export function readProgramFile(path: string): { program: Program; bytes: Uint8Array } {
  const bytes = readBytes(path);
  return { program: loadProgramBytes(path, bytes, { lines: false }), bytes };
}

/** The programs of a cluster scenario's VMs and their bytes, by path, each read once (undefined for a single-VM scenario). */
export function readVmPrograms(s: Scenario): { programs: Map<string, Program>; bytes: Map<string, Uint8Array> } | undefined {
  if (s.vms === null) return undefined;
  const programs = new Map<string, Program>();
  const bytes = new Map<string, Uint8Array>();
  for (const v of s.vms) {
    if (programs.has(v.program)) continue;
    const file = readProgramFile(v.program);
    programs.set(v.program, file.program);
    bytes.set(v.program, file.bytes);
  }
  return { programs, bytes };
}

export function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${errorCode(e)}`);
  }
}

/** The temporary file `writeFileAtomic` writes before renaming it over `path` (also the probe of `checkOutputFile`). */
function tempPathOf(path: string): string {
  return `${path}.tmp-${process.pid}`;
}

/**
 * Writes a file atomically: a temporary file in the same folder, flushed, then renamed over the target. On any
 * failure the temporary file is removed and a one-line UsageError says why.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = tempPathOf(path);
  try {
    writeSynced(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    removeQuietly(tmp);
    throw new UsageError(`cannot write ${path}: ${errorCode(e)}`);
  }
}

function writeSynced(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    writeFileSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Never created, or already gone.
  }
}

/** The errno code of a file system error (ENOENT, EACCES…), else its message. */
export function errorCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

/** Checks, before any long run, that `path` can be written (by `writeFileAtomic`); `flag` names the option in messages. */
export function checkOutputFile(flag: string, path: string): void {
  const target = statOrNull(flag, path);
  if (target !== null && target.isDirectory()) throw new UsageError(`${flag} ${path}: is a folder, not a file`);
  if (target !== null && !target.isFile()) throw new UsageError(`${flag} ${path}: is not a regular file`);
  checkFolder(flag, path, dirname(resolve(path)));
  probeWrite(flag, path, tempPathOf(path));
}

/** Checks, before any long run, that files can be written into folder `path`, or that its parent folder can create it. */
export function checkOutputDir(flag: string, path: string): void {
  const target = statOrNull(flag, path);
  if (target !== null && !target.isDirectory()) throw new UsageError(`${flag} ${path}: is a file, not a folder`);
  if (target === null) checkFolder(flag, path, dirname(resolve(path)));
  probeWrite(flag, path, target === null ? tempPathOf(path) : resolve(path, `.lockstep.tmp-${process.pid}`));
}

/** The stats of `path`, or null when nothing is there (also when a part of the path is a file: the folder check says so). */
function statOrNull(flag: string, path: string): Stats | null {
  try {
    return statSync(path);
  } catch (e) {
    const code = errorCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new UsageError(`${flag} ${path}: cannot use it (${code})`);
  }
}

function checkFolder(flag: string, path: string, folder: string): void {
  const st = statOrNull(flag, folder);
  if (st === null) throw new UsageError(`${flag} ${path}: folder ${folder} does not exist`);
  if (!st.isDirectory()) throw new UsageError(`${flag} ${path}: ${folder} is a file, not a folder`);
}

/** Creates and removes `probe`: the folder takes new files (permissions, read-only file systems). */
function probeWrite(flag: string, path: string, probe: string): void {
  let fd: number;
  try {
    fd = openSync(probe, 'w');
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot write in folder ${dirname(resolve(probe))} (${errorCode(e)})`);
  }
  closeSync(fd);
  removeQuietly(probe);
}

/** Reads a scenario file; `program` is resolved relative to the scenario's folder. */
export function readScenario(path: string, overrides: Record<string, unknown> = {}): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read scenario ${path}: ${(e as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`${path}: a scenario is a JSON object`);
  const s = parseOneLine(path, { ...(raw as object), ...overrides });
  const at = (p: string) => resolve(dirname(path), p);
  return { ...s, program: at(s.program), vms: s.vms === null ? null : s.vms.map((v) => ({ ...v, program: at(v.program) })) };
}

/** parseScenario, its problems on one line (the file named once). */
function parseOneLine(path: string, raw: unknown): Scenario {
  try {
    return parseScenario(raw);
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(`${path}: invalid scenario: ${e.problems.join('; ')}`);
    throw e;
  }
}

// Shared CLI plumbing: argument parsing, reading program and scenario files, error reporting.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Program } from '../machine/program';
import { loadProgramBytes } from '../asm/load-program';
import { parseScenario, Scenario } from '../ft/scenario';

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

/** Parses `--name value`, `--name=value` and boolean `--name` (listed in `booleans`). */
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
    if (!booleans.includes(name) && !known.includes(name)) throw new UsageError(`unknown option --${name}`);
    if (booleans.includes(name)) {
      flags.set(name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  return { positional, flags };
}

/** The value of a value-taking option, or undefined when it was not given. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function intFlag(args: ParsedArgs, name: string, dflt: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = args.flags.get(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v === true || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${String(v)}`);
  return n;
}

export function readProgram(path: string): Program {
  return readProgramFile(path).program;
}

/** The program and the bytes it came from (recordings keep the bytes). */
export function readProgramFile(path: string): { program: Program; bytes: Uint8Array } {
  const bytes = readBytes(path);
  return { program: loadProgramBytes(path, bytes), bytes };
}

export function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Writes a file atomically: a temporary file in the same folder, flushed, then renamed over the target. */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
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
  const s = parseScenario({ ...(raw as object), ...overrides });
  return { ...s, program: resolve(dirname(path), s.program) };
}

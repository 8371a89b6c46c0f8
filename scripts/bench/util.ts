// Shared helpers of the benchmark harness: repository root, wall-clock timing, medians, rounding.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root: the nearest folder above this file (or the bundle in dist/) holding package.json. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** Runs `f` once and returns its value with the wall-clock time it took, in milliseconds (process.hrtime.bigint). */
export function timed<T>(f: () => T): { value: T; ms: number } {
  const t0 = process.hrtime.bigint();
  const value = f();
  return { value, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

/** Runs `cmd` as a new process to its exit and returns what it printed with the wall time from spawn to exit, in ms; throws when it fails. */
export function spawnTimed(cmd: string, args: string[], timeoutMs = 300_000, env?: NodeJS.ProcessEnv): { ms: number; out: string } {
  const { value, ms } = timed(() => execFileSync(cmd, args, { encoding: 'latin1', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26, env }));
  return { ms, out: value };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function geomean(xs: number[]): number {
  return Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}

/** Rounds to `digits` decimals (figures in the JSON stay numbers). */
export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

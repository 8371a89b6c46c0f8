// Region hints on disk: a program run again (by `lockstep exec`/`run`, or F5 in a new adapter) starts translating its hot code at once instead of profiling it again.
//
// One JSON file per guest program under the cache folder bin/code-cache.js uses
// (~/.cache/lockstep, or $LOCKSTEP_CACHE_DIR; LOCKSTEP_CODE_CACHE=0 turns both off), named by a hash
// of the program's loadable bytes. A file holds hints only (src/machine/jit-plans.ts): the machine
// discovers every region again from its own RAM, so a stale, foreign or corrupt file cannot change a
// result, only when code leaves the interpreter. Bounded: at most FILES_MAX files (the oldest go) of
// at most FILE_BYTES_MAX bytes; written through a temporary name; any failure only costs the saving.

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Program } from '../machine/program';
import { exportPlanHints, importPlanHints } from '../machine/jit-plans';

/** Version of the file's shape; another version is ignored (and replaced at the next save). */
const FORMAT = 1;
/** Program files kept (each a few hundred KB at most). */
const FILES_MAX = 64;
const FILE_BYTES_MAX = 8 << 20;

/** The folder, or null when caching is off. */
export function planCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.LOCKSTEP_CODE_CACHE === '0') return null;
  const base = env.LOCKSTEP_CACHE_DIR ? env.LOCKSTEP_CACHE_DIR : join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'lockstep');
  return join(base, 'plans');
}

/** The cache file's name for a program: a hash of where each segment goes and what it holds. */
export function planCacheKey(program: Program): string {
  const h = createHash('sha1');
  for (const s of program.segments) {
    h.update(`${s.addr >>> 0}:${s.memSize}:${s.data.length};`);
    h.update(s.data);
  }
  return h.digest('hex').slice(0, 20);
}

/** A program's cache entry: load it before the run, save it after. */
export class PlanCache {
  private readonly file: string | null;
  /** Hints taken from the file (a save with no more than these writes nothing). */
  loaded = 0;

  constructor(program: Program, dir: string | null = planCacheDir()) {
    this.file = dir === null ? null : join(dir, `${planCacheKey(program)}.json`);
  }

  /** Takes the program's hints into this process's plans; returns how many. */
  load(): number {
    if (this.file === null) return 0;
    try {
      if (statSync(this.file).size > FILE_BYTES_MAX) return 0;
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as { format?: unknown; hints?: unknown };
      if (data.format !== FORMAT) return 0;
      this.loaded = importPlanHints(data.hints);
      return this.loaded;
    } catch {
      return 0; // none yet, unreadable or corrupt: the run profiles as it always did
    }
  }

  /** Writes this process's plans as the program's hints (when there are more than were loaded or last saved). */
  save(): void {
    if (this.file === null) return;
    const hints = exportPlanHints();
    if (hints.length <= this.loaded) return;
    this.loaded = hints.length;
    try {
      const text = JSON.stringify({ format: FORMAT, hints });
      if (text.length > FILE_BYTES_MAX) return;
      const dir = join(this.file, '..');
      mkdirSync(dir, { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, text);
      renameSync(tmp, this.file);
      prune(dir);
    } catch {
      // an optimisation only: the next run profiles again
    }
  }
}

/** Keeps the FILES_MAX newest cache files of `dir`. */
function prune(dir: string): void {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }));
  if (files.length <= FILES_MAX) return;
  files.sort((a, b) => b.t - a.t);
  for (const { f } of files.slice(FILES_MAX)) rmSync(join(dir, f), { force: true });
}

// The GDB oracle: gdb-multiarch on QEMU's gdbstub runs a guest ELF to each planned stop and reports what GDB shows as facts.
//
// One QEMU boot and one GDB session per call, whatever the number of stops. GDB reads a generated command file
// (settings, `target remote`) that sources gdb-oracle.py, which visits the stops in order (a temporary breakpoint
// each, so a stop means "the next time execution gets there") and prints GDB's text for `bt`, `info args`,
// `info locals` and each `print` as one JSON line; this module turns that text into facts (test/c-debug/facts.ts).
// Both processes run in their own process groups and are killed as groups when the session ends, times out or
// this process exits.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { StopFacts } from '../c-debug/facts';
import { readBacktrace, readBindings, readPrinted } from '../c-debug/gdb-text';
import { freePort } from './free-port';

export const GDB = 'gdb-multiarch';
export const QEMU = 'qemu-system-riscv32';
const DRIVER = join(__dirname, 'gdb-oracle.py');
const MARK = '@@oracle ';

/** Where to stop: a function name or `file.c:line`; `ignore` hits are passed over first; `exprs` are printed there. */
export interface OracleStop { name: string; location: string; ignore?: number; exprs?: string[] }
export type GdbStopFacts = StopFacts;

/**
 * GDB settings for stable, parseable text: no paging or wrapping (one value a line), no styling, no network,
 * UTF-8 both ways whatever the locale, whole strings and arrays, and full arguments in `bt`. Everything else
 * (repeats threshold 10, addresses and <symbol> shown, entry values in `bt` as GDB's default) is GDB's default.
 */
export const GDB_SETTINGS = [
  'set pagination off', 'set confirm off', 'set width 0', 'set height 0', 'set style enabled off',
  'set debuginfod enabled off', 'set charset UTF-8', 'set print pretty off', 'set print elements unlimited',
  'set print repeats 10', 'set print address on', 'set print symbol on', 'set print frame-arguments all',
  'set print entry-values default', 'set backtrace past-main off', 'set architecture riscv:rv32',
  'set tcp auto-retry on', 'set tcp connect-timeout 15',
];

/** Why the oracle cannot run here (a tool missing), or null when it can. */
export function oracleUnavailable(): string | null {
  for (const tool of [GDB, QEMU]) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore', timeout: 20_000 }).status !== 0) return `${tool} is not installed`;
  }
  return null;
}

function commandFile(port: number, planPath: string): string {
  return [...GDB_SETTINGS, `target remote 127.0.0.1:${port}`, `source ${DRIVER}`, `python oracle_run(${JSON.stringify(planPath)})`, ''].join('\n');
}

/** Kills a child's whole process group (it was spawned detached) and waits until the child is gone. */
function killGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const gone = new Promise<void>((res) => child.once('exit', () => res()));
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
  return gone;
}

interface Session { stdout: string; stderr: string; qemuStderr: string; timedOut: boolean }

/** Starts QEMU halted with its gdbstub on `port`, and GDB on the command file; each in a process group of its own. */
function startPair(elf: string, dir: string, port: number, s: Session): { qemu: ChildProcess; gdb: ChildProcess } {
  const cmd = join(dir, 'oracle.gdb');
  writeFileSync(cmd, commandFile(port, join(dir, 'plan.json')));
  const qemu = spawn(QEMU, ['-M', 'virt', '-bios', 'none', '-S', '-gdb', `tcp:127.0.0.1:${port}`, '-nographic', '-kernel', elf],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const gdb = spawn(GDB, ['--batch', '--nx', '-x', cmd, elf], { detached: true, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  qemu.stderr!.on('data', (d: Buffer) => { s.qemuStderr += d.toString('utf8'); });
  gdb.stdout!.on('data', (d: Buffer) => { s.stdout += d.toString('utf8'); });
  gdb.stderr!.on('data', (d: Buffer) => { s.stderr += d.toString('utf8'); });
  qemu.once('error', (e) => { s.qemuStderr += String(e); void killGroup(gdb); });
  // QEMU powers off with 0 when the guest ends (GDB then sees the connection close); anything else leaves GDB nothing to do.
  qemu.once('exit', (code) => { if (code !== 0) void killGroup(gdb); });
  return { qemu, gdb };
}

/** One QEMU boot with one GDB session on it; both are gone when the promise settles. */
async function runSession(elf: string, dir: string, port: number, timeoutMs: number): Promise<Session> {
  const s: Session = { stdout: '', stderr: '', qemuStderr: '', timedOut: false };
  const { qemu, gdb } = startPair(elf, dir, port, s);
  const both = (): Promise<unknown> => Promise.all([killGroup(gdb), killGroup(qemu)]);
  const onExit = (): void => {
    for (const c of [gdb, qemu]) if (c.pid !== undefined) try { process.kill(-c.pid, 'SIGKILL'); } catch { /* gone already */ }
  };
  process.once('exit', onExit);
  const timer = setTimeout(() => { s.timedOut = true; void both(); }, timeoutMs);
  try {
    await new Promise<void>((res) => { gdb.once('close', () => res()); gdb.once('error', (e) => { s.stderr += String(e); res(); }); });
  } finally {
    clearTimeout(timer);
    await both();
    process.removeListener('exit', onExit);
  }
  return s;
}

interface RawResult { ok: boolean; text: string }
interface RawStop {
  stop: string; reached: boolean; error?: string; bt?: RawResult; inlined?: boolean[];
  args?: RawResult; locals?: RawResult; prints?: (RawResult & { expr: string })[];
}

/** One stop's facts from the driver's JSON line. */
export function stopFacts(raw: RawStop): StopFacts {
  const notes = raw.error !== undefined ? [raw.error.trim()] : [];
  const text = (what: string, r: RawResult | undefined): string => {
    if (r !== undefined && !r.ok) notes.push(`${what}: ${r.text.trim()}`);
    return r?.ok ? r.text : '';
  };
  return {
    stop: raw.stop, reached: raw.reached, notes,
    frames: readBacktrace(text('bt', raw.bt), raw.inlined ?? []),
    args: readBindings(text('info args', raw.args)),
    locals: readBindings(text('info locals', raw.locals)),
    prints: (raw.prints ?? []).map((p) => ({
      expr: p.expr, value: p.ok ? readPrinted(p.text) : { kind: 'special', text: `<error: ${p.text.trim()}>` },
    })),
  };
}

function unreached(stop: OracleStop, why: string): StopFacts {
  return { stop: stop.name, reached: false, frames: [], args: [], locals: [], prints: [], notes: [why] };
}

/** The facts of every planned stop from a session's output, in plan order; a stop GDB never got to is `reached: false`. */
function sessionFacts(s: Session, stops: OracleStop[]): StopFacts[] {
  const lines = s.stdout.split('\n').filter((l) => l.startsWith(MARK)).map((l) => JSON.parse(l.slice(MARK.length)) as RawStop & { end?: true });
  const byName = new Map(lines.filter((l) => !l.end).map((l) => [l.stop, stopFacts(l)]));
  const why = s.timedOut ? 'the GDB session timed out'
    : lines.some((l) => l.end) ? 'an earlier stop was not reached'
    : `GDB ended early: ${s.stderr.trim() || s.qemuStderr.trim()}`;
  return stops.map((stop) => byName.get(stop.name) ?? unreached(stop, why));
}

/** What GDB shows at each stop, in plan order, from one QEMU boot (a second one if QEMU lost its port to a race). */
export async function gdbFacts(elf: string, stops: OracleStop[], opts: { timeoutMs?: number } = {}): Promise<GdbStopFacts[]> {
  if (new Set(stops.map((s) => s.name)).size !== stops.length) throw new Error('gdbFacts: stop names must be unique');
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-gdb-oracle-'));
  const timeoutMs = opts.timeoutMs ?? 30_000;
  try {
    writeFileSync(join(dir, 'plan.json'), JSON.stringify({ stops }));
    let s = await runSession(resolve(elf), dir, await freePort(), timeoutMs);
    if (/Failed to find an available port|Address already in use/.test(s.qemuStderr)) {
      s = await runSession(resolve(elf), dir, await freePort(), timeoutMs);
    }
    return sessionFacts(s, stops);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

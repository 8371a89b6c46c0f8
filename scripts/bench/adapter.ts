// Figure 7: debug adapter latency — DAP round trips (next, stepBack, stackTrace, variables) against the adapter process on kvstore, and pause latency on a runaway guest.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { round } from './util';

export interface LatencyRow { kind: string; samples: number; medianMs: number; p95Ms: number }
export interface AdapterReport {
  adapter: string; requests: LatencyRow[]; pause: { samples: number; medianMs: number; maxMs: number };
  /** Continue from entry to the guest's power-off, crc32 with FT on (the in-thread pair) and off: median ms, and the median of the same-round ratios. */
  continueToEnd: { rounds: number; pairMs: number; oneVmMs: number; ratio: number };
}

/** argv flag of the child process that does the measuring (the DAP client is asynchronous, the bench is not). */
const CHILD_FLAG = '--lockstep-adapter-bench-child';
const SPIN = '    .text\n    .globl _start\n_start:\n    li a0, 0\n1:  addi a0, a0, 1\n    j 1b\n';

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

/** The built adapter (`npm run build`), else its source under tsx: how VS Code would start it. */
function adapterCommand(root: string): { file: string; env: NodeJS.ProcessEnv } {
  const built = join(root, 'dist', 'adapter.js');
  if (existsSync(built)) return { file: built, env: process.env };
  return { file: join(root, 'src', 'debug', 'main.ts'), env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import tsx`.trim() } };
}

async function client(root: string): Promise<DebugClient> {
  const a = adapterCommand(root);
  const dc = new DebugClient(process.execPath, a.file, 'lockstep', { cwd: root, env: a.env });
  dc.defaultTimeout = 60_000;
  await dc.start();
  return dc;
}

/** initialize + launch + configurationDone; resolves once the session stopped on entry (or started running). */
async function open(dc: DebugClient, args: Record<string, unknown>): Promise<void> {
  // Promise.all: a failed launch must not leave the event wait to reject unhandled later.
  await Promise.all([dc.waitForEvent('initialized'), dc.launch(args as DebugProtocol.LaunchRequestArguments)]);
  await dc.configurationDoneRequest();
}

/** Milliseconds from sending `f`'s request to the `stopped` event it causes. */
async function untilStopped(dc: DebugClient, f: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await Promise.all([dc.waitForEvent('stopped'), f()]);
  return ms(t0);
}

function row(kind: string, xs: number[]): LatencyRow {
  return { kind, samples: xs.length, medianMs: round(percentile(xs, 50), 3), p95Ms: round(percentile(xs, 95), 3) };
}

/** kvstore stopped on entry: `reps` instruction nexts, as many stepBacks, then stackTrace and variables (registers). */
async function requestLatency(root: string, reps: number): Promise<LatencyRow[]> {
  const dc = await client(root);
  try {
    const [entry] = await Promise.all([
      dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>,
      open(dc, { program: join(root, 'examples/kvstore/kvstore.elf'), untilMs: 100, stopOnEntry: true }),
    ]);
    const threadId = entry.body.threadId!;
    const next: number[] = [];
    const back: number[] = [];
    const stack: number[] = [];
    const vars: number[] = [];
    for (let i = 0; i < reps; i++) next.push(await untilStopped(dc, () => dc.nextRequest({ threadId, granularity: 'instruction' })));
    for (let i = 0; i < reps; i++) back.push(await untilStopped(dc, () => dc.stepBackRequest({ threadId, granularity: 'instruction' })));
    let frameId = 0;
    for (let i = 0; i < reps; i++) {
      const t0 = process.hrtime.bigint();
      frameId = (await dc.stackTraceRequest({ threadId })).body.stackFrames[0].id;
      stack.push(ms(t0));
    }
    const regs = (await dc.scopesRequest({ frameId })).body.scopes[0].variablesReference;
    for (let i = 0; i < reps; i++) {
      const t0 = process.hrtime.bigint();
      await dc.variablesRequest({ variablesReference: regs });
      vars.push(ms(t0));
    }
    return [row('next (instruction)', next), row('stepBack (instruction)', back), row('stackTrace', stack), row('variables (registers)', vars), ...await cLatency(dc, threadId, reps)];
  } finally {
    await dc.stop();
  }
}

/** At a C function breakpoint (kvstore's table_put): scopes plus its Arguments and Locals from DWARF, `reps` times. */
async function cLatency(dc: DebugClient, threadId: number, reps: number): Promise<LatencyRow[]> {
  await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'table_put' }] });
  await untilStopped(dc, () => dc.continueRequest({ threadId }));
  const frameId = (await dc.stackTraceRequest({ threadId })).body.stackFrames[0].id;
  const c: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    const scopes = (await dc.scopesRequest({ frameId })).body.scopes;
    for (const s of scopes.filter((x) => x.name === 'Arguments' || x.name === 'Locals')) await dc.variablesRequest({ variablesReference: s.variablesReference });
    c.push(ms(t0));
  }
  return [row('scopes + C Arguments and Locals', c)];
}

/** A tight loop in assembly, free-running: `pauses` times, wait 100 ms, pause, time until `stopped`, continue. */
async function pauseLatency(root: string, pauses: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-bench-spin-'));
  const dc = await client(root);
  try {
    writeFileSync(join(dir, 'spin.s'), SPIN);
    await open(dc, { program: join(dir, 'spin.s'), untilMs: 600_000, stopOnEntry: false });
    const out: number[] = [];
    for (let i = 0; i < pauses; i++) {
      await new Promise((r) => setTimeout(r, 100));
      out.push(await untilStopped(dc, () => dc.pauseRequest({ threadId: 1 })));
      await dc.continueRequest({ threadId: 1 });
    }
    return out;
  } finally {
    await dc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One session of crc32 (99 M instructions, no clients) stopped on entry; ms from Continue to the stop at its power-off. */
async function continueToEnd(root: string, ftEnabled: boolean): Promise<number> {
  const dc = await client(root);
  try {
    await Promise.all([
      dc.waitForEvent('stopped'),
      open(dc, { program: join(root, 'examples/bench/crc32-rv32im.elf'), untilMs: 1200, workload: { clients: 0 }, ft: { enabled: ftEnabled }, stopOnEntry: true }),
    ]);
    return await untilStopped(dc, () => dc.continueRequest({ threadId: 1 }));
  } finally {
    await dc.stop();
  }
}

/** The debugger's Continue over a whole CPU-bound run, protected pair against one VM, `rounds` rounds in turn. */
async function continueFigure(root: string, rounds: number): Promise<AdapterReport['continueToEnd']> {
  const pair: number[] = [], one: number[] = [];
  for (let i = 0; i < rounds; i++) {
    one.push(await continueToEnd(root, false));
    pair.push(await continueToEnd(root, true));
  }
  const ratios = pair.map((p, i) => p / one[i]);
  return { rounds, pairMs: round(percentile(pair, 50), 1), oneVmMs: round(percentile(one, 50), 1), ratio: round(percentile(ratios, 50), 2) };
}

async function measure(root: string, reps: number, pauses: number): Promise<AdapterReport> {
  const requests = await requestLatency(root, reps);
  const p = await pauseLatency(root, pauses);
  const continueToEndFigure = await continueFigure(root, pauses >= 10 ? 5 : 1);
  const adapter = adapterCommand(root).file.slice(root.length + 1);
  return { adapter, requests, pause: { samples: p.length, medianMs: round(percentile(p, 50), 3), maxMs: round(Math.max(...p), 3) }, continueToEnd: continueToEndFigure };
}

/**
 * Runs the measurement in a child node process (under tsx, from this file) and waits for it: the DAP
 * client is asynchronous, the bench harness synchronous, and a separate client process keeps the
 * harness's own work out of the adapter's timings.
 */
export function benchAdapter(root: string, reps: number, pauses: number): AdapterReport {
  const args = ['--import', 'tsx', join(root, 'scripts', 'bench', 'adapter.ts'), CHILD_FLAG, root, String(reps), String(pauses)];
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`adapter bench failed (${r.status ?? r.signal}): ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout) as AdapterReport;
}

/** The child: argv is [CHILD_FLAG, root, reps, pauses]; prints the report as JSON. */
if (process.argv[2] === CHILD_FLAG) {
  const [root, reps, pauses] = process.argv.slice(3);
  measure(root, Number(reps), Number(pauses)).then(
    (rep) => process.stdout.write(`${JSON.stringify(rep)}\n`),
    (e) => {
      process.stderr.write(`${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}

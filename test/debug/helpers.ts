// Test helpers for the debug adapter: a DebugClient talking to the real adapter process (src/debug/main.ts under tsx).

import { join, resolve } from 'node:path';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

export const ROOT = resolve(__dirname, '../..');
export const HELLO = join(ROOT, 'examples/hello/hello.s');
export const KVSTORE = join(ROOT, 'examples/kvstore/kvstore.elf');
export const KVSTORE_C = join(ROOT, 'examples/kvstore/kvstore.c');

/** 1-based line of the first line of `file` containing `text`. */
export function lineOf(file: string, text: string): number {
  const i = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`${text} not in ${file}`);
  return i + 1;
}

/**
 * A client of the adapter run from its TypeScript sources, or with `bundled` from the bundle `npm run build` makes
 * (dist/adapter.js, what the extension ships): several times faster on long guests, whose per-file transpiled code
 * V8 optimises less (const enums are inlined only across a bundle).
 */
export async function startClient(bundled = false): Promise<DebugClient> {
  const dc = bundled ? new DebugClient('node', join(ROOT, 'dist/adapter.js'), 'lockstep', { cwd: ROOT }) : new DebugClient('node', join(ROOT, 'src/debug/main.ts'), 'lockstep', {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import tsx`.trim() },
  });
  dc.defaultTimeout = 20_000;
  await dc.start();
  return dc;
}

/** Runs `f` with a fresh client of the real adapter, stopped however `f` ends. */
export async function withClient(f: (dc: DebugClient) => Promise<void>, bundled = false): Promise<void> {
  const dc = await startClient(bundled);
  try {
    await f(dc);
  } finally {
    await dc.stop();
  }
}

/** initialize + launch + (breakpoints via `configure`) + configurationDone; resolves with the first stopped event. */
export async function launch(dc: DebugClient, args: Record<string, unknown>, configure?: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const init = dc.waitForEvent('initialized');
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await dc.launch(args);
  await init;
  if (configure) await configure();
  await dc.configurationDoneRequest();
  return stopped;
}

export async function stoppedAfter(dc: DebugClient, f: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await f();
  return stopped;
}

export async function topFrame(dc: DebugClient, threadId: number): Promise<DebugProtocol.StackFrame> {
  const st = await dc.stackTraceRequest({ threadId });
  return st.body.stackFrames[0];
}

export async function threadNames(dc: DebugClient): Promise<string[]> {
  return (await dc.threadsRequest()).body.threads.map((t) => t.name);
}

export async function evalIn(dc: DebugClient, expression: string, frameId?: number, context = 'watch'): Promise<string> {
  return (await dc.evaluateRequest({ expression, frameId, context })).body.result;
}

/** The request's promise rejects for an error response; returns its message. */
export async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error response');
}

/** A guest that stores 1..5 into `counter`, then powers off with code 0. */
export const COUNTER = `    .text
    .globl _start
_start:
    la      t0, counter
    li      t1, 0
1:  addi    t1, t1, 1
    sw      t1, 0(t0)
    li      t2, 5
    bne     t1, t2, 1b
    li      t0, 0x100000
    li      t1, 0x5555
    sw      t1, 0(t0)
2:  wfi
    j       2b
    .data
counter:
    .word   0
`;

/** Writes a guest program to a fresh temporary folder; returns its path. */
export function guestFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'lockstep-ux-')), name);
  writeFileSync(file, text);
  return file;
}

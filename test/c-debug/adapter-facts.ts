// The adapter's side of the C debug comparison: the same stops as the GDB oracle, reached through the real adapter over DAP, reported as the same facts.

import { basename, join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { CORPUS_DIR } from '../../scripts/c-corpus';
import type { CorpusStop } from './corpus';
import type { Binding, FrameFact, StopFacts, Value } from './facts';
import { parseValue } from './gdb-value';
import { withClient } from '../debug/helpers';

/** Our value text as a fact: parsed with GDB's syntax, kept whole when it is not (a mismatch then shows it). */
function valueOf(text: string): Value {
  try {
    return parseValue(text);
  } catch {
    return { kind: 'unparsed', text };
  }
}

async function bindings(dc: DebugClient, frameId: number, scope: string): Promise<Binding[]> {
  const scopes = (await dc.scopesRequest({ frameId })).body.scopes;
  const s = scopes.find((x) => x.name === scope);
  if (s === undefined) return [];
  const vars = (await dc.variablesRequest({ variablesReference: s.variablesReference })).body.variables;
  return vars.map((v) => ({ name: v.name, value: valueOf(v.value) }));
}

/**
 * A frame's arguments as GDB's backtrace prints them: a row `x@entry` (the value on entry differs) is a
 * binding of its own; for the others, `x@entry` evaluated in the frame tells whether the value on entry is
 * known and the same (GDB's `x=x@entry=V`).
 */
async function frameArgs(dc: DebugClient, frameId: number): Promise<Binding[]> {
  const rows = await bindings(dc, frameId, 'Arguments');
  for (const b of rows) {
    if (b.name.endsWith('@entry') || rows.some((r) => r.name === `${b.name}@entry`)) continue;
    const entry = await dc.evaluateRequest({ expression: `${b.name}@entry`, frameId, context: 'watch' }).then((r) => r.body.result, () => undefined);
    if (entry !== undefined && sameShown(valueOf(entry), b.value)) b.atEntry = true;
  }
  return rows;
}

/** The same value, a top-level print's `(type) ` of a pointer aside. */
function sameShown(printed: Value, row: Value): boolean {
  if (printed.kind === 'pointer' && row.kind === 'pointer') return printed.address === row.address && printed.symbol === row.symbol && printed.string === row.string;
  return printed.text === row.text;
}

async function frames(dc: DebugClient, threadId: number): Promise<{ facts: FrameFact[]; ids: number[] }> {
  const st = (await dc.stackTraceRequest({ threadId })).body.stackFrames;
  const facts: FrameFact[] = [];
  for (const [level, f] of st.entries()) {
    facts.push({
      level,
      function: f.name.replace(/ \[(interrupted|inlined)\]$/, ''),
      file: f.source?.path === undefined ? null : basename(f.source.path),
      line: f.source === undefined ? null : f.line,
      inlined: / \[inlined\]$/.test(f.name),
      args: await frameArgs(dc, f.id),
    });
  }
  return { facts, ids: st.map((f) => f.id) };
}

async function prints(dc: DebugClient, frameId: number, exprs: readonly string[]): Promise<StopFacts['prints']> {
  const out: StopFacts['prints'] = [];
  for (const expr of exprs) {
    try {
      const r = await dc.evaluateRequest({ expression: expr, frameId, context: 'repl' });
      out.push({ expr, value: valueOf(r.body.result) });
    } catch (e) {
      out.push({ expr, value: { kind: 'special', text: `<error: ${(e as Error).message}>` } });
    }
  }
  return out;
}

/** Sets the one breakpoint of a stop (a function, or `file.c:line` of the corpus), replacing the previous stop's. */
async function breakAt(dc: DebugClient, stop: CorpusStop, lastFile: string | undefined): Promise<string | undefined> {
  const hitCondition = stop.ignore === undefined ? undefined : String(stop.ignore + 1);
  if (lastFile !== undefined) await dc.setBreakpointsRequest({ source: { path: lastFile }, breakpoints: [] });
  const m = /^(.+\.c):(\d+)$/.exec(stop.location);
  if (m === null) {
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: stop.location, hitCondition }] });
    return undefined;
  }
  await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  const path = join(CORPUS_DIR, m[1]);
  await dc.setBreakpointsRequest({ source: { path }, breakpoints: [{ line: Number(m[2]), hitCondition }] });
  return path;
}

/** Runs the ELF in the real adapter and reports what it shows at each stop, in order. */
export async function adapterFacts(elf: string, stops: readonly CorpusStop[]): Promise<StopFacts[]> {
  const out: StopFacts[] = [];
  await withClient(async (dc) => {
    const init = dc.waitForEvent('initialized');
    await dc.launch({ program: elf, untilMs: 2000, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments);
    await init;
    const entry = dc.waitForEvent('stopped');
    await dc.configurationDoneRequest();
    const threadId = ((await entry) as DebugProtocol.StoppedEvent).body.threadId!;
    let lastFile: string | undefined;
    for (const stop of stops) {
      lastFile = await breakAt(dc, stop, lastFile);
      const stopped = (await Promise.all([dc.waitForEvent('stopped'), dc.continueRequest({ threadId })]))[0] as DebugProtocol.StoppedEvent;
      const reached = /breakpoint/.test(stopped.body.reason);
      if (!reached) {
        out.push({ stop: stop.name, reached, frames: [], args: [], locals: [], prints: [], notes: [`stopped: ${stopped.body.reason} ${stopped.body.description ?? ''}`] });
        break;
      }
      const f = await frames(dc, threadId);
      out.push({
        stop: stop.name, reached, frames: f.facts, args: (f.facts[0]?.args ?? []).filter((b) => !b.name.endsWith('@entry')).map(({ name, value }) => ({ name, value })),
        locals: await bindings(dc, f.ids[0], 'Locals'), prints: await prints(dc, f.ids[0], stop.exprs), notes: [],
      });
    }
  });
  return out;
}

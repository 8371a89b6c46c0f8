// What the Linux scenario tests share: running `lockstep run --json`, reading /init's console lines, checking every request was served.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'bin', 'lockstep.js');
export const BANNER = 'lockstep /init: hello from Linux';
export const SERVING = 'lockstep /init: serving kvstore on the NIC';
export const SERVING_TCP = 'lockstep /init: serving kvstore on TCP port 7000 at 10.0.0.2';
/** /init's line when its root has /kv.log (the disk's does): the writes it found there. */
export const REPLAYED = /^lockstep \/init: keeping the table in \/kv\.log: (\d+) writes replayed$/;
/** Requests the scenario's clients send in all (its `workload`). */
export function requestsOf(scenario: string): number {
  const w = (JSON.parse(readFileSync(scenario, 'utf8')) as { workload: { clients: number; requests: number } }).workload;
  return w.clients * w.requests;
}

export interface RunJson {
  ok: boolean; traceHash: string; ftState: string; respawns: number; console: string;
  failovers: { fromHost: string; toHost: string; instret: number; failedAtMs: number; liveAtMs: number }[];
  outputs: { released: number; duplicated: number };
  clients: { sent: number; replies: number; ok: number; errors: number; retries: number; duplicates: number; maxLatencyMs: number };
  invariants: { name: string; ok: boolean; detail: string }[];
  haRestarts: number;
}

export function lockstep(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'latin1', maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The console's lines from /init's banner on (the kernel's log before it depends on timing no test should pin). */
export function initLines(console: string): string[] {
  const lines = console.split(/\r?\n/);
  const at = lines.indexOf(BANNER);
  assert.ok(at >= 0, `the console shows /init's banner: ${console.slice(-400)}`);
  return lines.slice(at).filter((l) => l !== '');
}

/** /init found the NIC (and its log, on a disk), then every tick once, in order from 1: no line lost, none doubled. */
export function assertTicksExact(lines: string[]): number {
  const from = REPLAYED.test(lines[1]) ? 2 : 1;
  assert.equal(lines[from], SERVING, '/init drives the NIC through /dev/mem');
  const tcp = lines[from + 1] === SERVING_TCP ? 1 : 0; // a kernel with networking and a virtio network device
  const ticks = lines.slice(from + 1 + tcp);
  ticks.forEach((l, i) => assert.equal(l, `tick ${i + 1}`, `line ${i + 3} after the banner`));
  return ticks.length;
}

/** `lockstep run SCENARIO --json`; `passes`: whether every checker must hold (the exit status says so). */
export function run(scenario: string, passes = true): RunJson {
  const r = lockstep(['run', scenario, '--json']);
  assert.equal(r.status, passes ? 0 : 1, r.stderr);
  return JSON.parse(r.stdout) as RunJson;
}

/** Every checker ok, and each client's every request answered (OK or NOT_FOUND), a second time only by a go-live's re-send. */
export function assertServed(r: RunJson, requests: number): void {
  assert.deepEqual(r.invariants.filter((c) => !c.ok), [], 'every checker holds');
  assert.equal(r.ok, true);
  const c = r.clients;
  assert.ok(requests >= 40, `the scenario has clients (${requests} requests)`);
  assert.equal(c.sent, requests, `every client sent all its requests, each after the one before was answered (${JSON.stringify(c)})`);
  assert.equal(c.ok, c.sent, 'every request answered');
  assert.equal(c.errors, 0);
  // A reply the Output Rule still held when the primary died is sent again by the new primary at go-live (the client
  // then sees it twice, as TCP would drop it): duplicates come only from there, never from the guest answering twice.
  assert.ok(c.duplicates <= r.outputs.duplicated, `duplicate replies (${c.duplicates}) only from outputs re-sent at go-live (${r.outputs.duplicated})`);
}

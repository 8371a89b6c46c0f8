// The secondary on another core: a worker thread runs the real secondary machines and verifies the cluster's predictions.
//
// The main thread simulates with ShadowMachine secondaries (src/ft/protocol/shadow-machine.ts) and
// posts their work here in batches; it waits only to take a machine at go-live, for a state hash
// and for the final verdict. A run whose predictions all held is the in-thread run bit for bit; a
// run with a failed prediction is run again in-thread, so the result never depends on timing.

import { Worker, isMainThread, parentPort, receiveMessageOnPort, workerData, MessageChannel, type MessagePort } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Machine, type MachineSnapshot } from '../machine/machine';
import type { Environment, GuestOutput, InputEvent, ReadKind } from '../machine/types';
import type { Program } from '../machine/program';
import { Cluster, NS_PER_MS } from '../ft/cluster';
import { runScenario, runToDecision, summarize, type RunSummary } from '../ft/report';
import type { Scenario } from '../ft/scenario';
import { BatchWriter, readBatch, type Batch, type ObjectCommand, type SliceReader } from './secondary-batch';
import { ParallelFallback, type ExpectedCall, type RemoteSecondaryState, type SecondaryExecutor, type SliceExpectation } from '../ft/protocol/shadow-machine';

/** Commands per message to the worker (mostly slices, one per VM quantum of up to 50 µs simulated). */
const BATCH_COMMANDS = 1024;
/**
 * Commands in the first message of a run (later ones double up to BATCH_COMMANDS): the worker starts
 * on the first slices instead of ~5 M instructions behind, which the run's end would wait for.
 */
const FIRST_BATCH_COMMANDS = 16;
/**
 * Instructions back-to-back slices of one secondary may be merged over (1 ms of a 100-MIPS host):
 * the worker then stops ~20x less often in a CPU-bound guest. Messages still leave as often as
 * before (a batch is full after as many slices, merged or not). crc32 pair, worker thread, paired
 * median of 7 rounds: 1.09-1.55x one VM before, 1.11-1.16x after (three bench runs each).
 */
const SLICE_MERGE_INSTR = 100_000;
/** Machines a worker keeps between runs (a run rarely has more than one secondary at a time). */
const SPARE_MACHINES_MAX = 2;
/** How long a wait for the worker may take before the run is declared broken (1 s waits). */
const WAIT_SECONDS_MAX = 600;

interface WorkerSetup { lockstepSecondary: true; ramBytes: number; diskSectors: number; flag: SharedArrayBuffer; port: MessagePort }

// ---- the main thread's side --------------------------------------------------------------------

/** A worker thread with its reply channel; kept for the next run (its JIT stays warm) unless it failed. */
interface WorkerHandle { worker: Worker; flag: Int32Array; replies: MessagePort; replyCount: number; ramBytes: number; diskSectors: number }

/** At most one idle worker per process, for the next run with the same machine size. */
let idle: WorkerHandle | null = null;

function acquire(ramBytes: number, diskSectors: number): WorkerHandle {
  const h = idle;
  idle = null;
  if (h !== null && h.ramBytes === ramBytes && h.diskSectors === diskSectors) return h;
  if (h !== null) void h.worker.terminate();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const setup: WorkerSetup = { lockstepSecondary: true, ramBytes, diskSectors, flag: flag.buffer as SharedArrayBuffer, port: port2 };
  const worker = spawnWorker(setup, [port2]);
  worker.on('error', () => undefined); // a dead worker shows as a wait that never ends (bounded): the run then throws
  worker.unref(); // an idle worker must not keep the process alive
  port1.unref();
  return { worker, flag, replies: port1, replyCount: 0, ramBytes, diskSectors };
}

export class WorkerSecondaryExecutor implements SecondaryExecutor {
  private readonly h: WorkerHandle;
  private readonly batch = new BatchWriter(BATCH_COMMANDS, FIRST_BATCH_COMMANDS, SLICE_MERGE_INSTR);
  private closed = false;

  constructor(scenario: Scenario) {
    this.h = acquire(scenario.ramMiB * 1024 * 1024, scenario.storage.diskSectors);
  }

  create(vm: number, snap: MachineSnapshot): void { this.send({ c: 'create', vm, snap }); }
  deliver(vm: number, ev: InputEvent): void { this.send({ c: 'deliver', vm, ev }); }
  run(vm: number, s: SliceExpectation): void {
    this.open();
    this.batch.run(vm, s.limit, s.instret, s.reason === 'exit', s.calls);
    if (this.batch.full) this.flush();
  }
  take(vm: number): RemoteSecondaryState | null { return this.request({ c: 'take', vm, reply: 0 }) as RemoteSecondaryState | null; }
  hash(vm: number): string { return this.request({ c: 'hash', vm, reply: 0 }) as string; }
  verdict(): string | null { return this.request({ c: 'verdict', reply: 0 }) as string | null; }

  /** Ends this run's use of the worker: it forgets every machine and waits, warm, for the next run. */
  close(): void {
    if (this.closed) return;
    try {
      this.request({ c: 'reset', reply: 0 });
      if (idle === null) idle = this.h;
      else void this.h.worker.terminate();
    } catch {
      void this.h.worker.terminate();
    }
    this.closed = true;
  }

  private open(): void {
    if (this.closed) throw new Error('parallel secondary: the worker was closed');
  }

  private send(cmd: ObjectCommand): void {
    this.open();
    this.batch.command(cmd);
    if (this.batch.full) this.flush();
  }

  private flush(): void {
    const b = this.batch.take();
    if (b !== null) this.h.worker.postMessage(b, [b.nums.buffer, b.wire.buffer]);
  }

  /** Sends `cmd` with everything before it and waits for the worker to answer it (never on how far it got). */
  private request(cmd: ObjectCommand & { c: 'take' | 'hash' | 'verdict' | 'reset' }): unknown {
    const n = ++this.h.replyCount;
    this.send({ ...cmd, reply: n } as ObjectCommand);
    this.flush();
    for (let s = 0; s < WAIT_SECONDS_MAX; s++) {
      const seen = Atomics.load(this.h.flag, 0);
      if (seen >= n) {
        const msg = receiveMessageOnPort(this.h.replies);
        if (msg === undefined) throw new Error('parallel secondary: the worker signalled without a reply');
        return (msg.message as { value: unknown }).value;
      }
      Atomics.wait(this.h.flag, 0, seen, 1000);
    }
    throw new Error('parallel secondary: the worker did not answer');
  }
}

function spawnWorker(setup: WorkerSetup, transfer: MessagePort[]): Worker {
  if (__filename.endsWith('.ts')) {
    // Under tsx (tests): load the TypeScript loader first, then this module.
    const loader = require.resolve(['tsx', 'cjs'].join('/')); // computed: the bundler must not follow it
    const code = `require(${JSON.stringify(loader)}); require(${JSON.stringify(__filename)});`;
    return new Worker(code, { eval: true, workerData: setup, transferList: transfer });
  }
  // Bundled: dist/secondary-worker.js beside this bundle, else this bundle itself (its entry point returns at once in the worker).
  const entry = join(__dirname, 'secondary-worker.js');
  return new Worker(existsSync(entry) ? entry : __filename, { workerData: setup, transferList: transfer });
}

/**
 * Runs a scenario with the secondary on another thread; falls back to the in-thread run when a
 * prediction fails. `stateHashes` (tests) also hashes every VM's final machine state, which waits
 * for the worker's last slice and hashes its RAM; otherwise it is empty.
 */
export function runScenarioParallel(scenario: Scenario, program: Program, opts: { stateHashes?: boolean } = {}): { cluster: Cluster; summary: RunSummary; stateHashes: string[]; fallback: string | null } {
  const hashes = (c: Cluster): string[] => (opts.stateHashes === true ? c.vms.map((v) => v.guest.hash()) : []);
  const ex = new WorkerSecondaryExecutor(scenario);
  let fallback: string;
  try {
    const cluster = new Cluster(scenario, program, { secondaryExecutor: ex });
    runToDecision(cluster, scenario.untilMs * NS_PER_MS);
    const checks = cluster.finish();
    const stateHashes = hashes(cluster);
    const verdict = ex.verdict();
    if (verdict === null) return { cluster, summary: summarize(cluster, checks), stateHashes, fallback: null };
    fallback = verdict;
  } catch (e) {
    if (!(e instanceof ParallelFallback)) throw e;
    fallback = e.message;
  } finally {
    ex.close();
  }
  const again = runScenario(scenario, program);
  return { ...again, stateHashes: hashes(again.cluster), fallback };
}

// ---- the worker's side ---------------------------------------------------------------------------

interface RemoteVm { machine: Machine; env: VerifyEnv }

/** The real secondary's environment: serves the reads the main thread predicted, checks every output. */
class VerifyEnv implements Environment {
  calls: ExpectedCall[] = [];
  next = 0;
  armedTimer: number | null = null;
  timerPending = false;

  constructor(private readonly fail: (why: string) => void) {}

  read(kind: ReadKind, instret: number): number {
    const x = this.calls[this.next];
    if (x !== undefined && 'read' in x && x.read === kind && x.instret === instret) {
      this.next++;
      return x.value;
    }
    this.fail(`the secondary read ${kind} at ${instret}; predicted ${describe(x)}`);
    return 0;
  }

  output(out: GuestOutput, instret: number): void {
    if (out.kind === 'timerArm') {
      this.armedTimer = out.mtimecmp;
      this.timerPending = false;
      return;
    }
    const x = this.calls[this.next];
    if (x !== undefined && 'output' in x && x.instret === instret && sameOutput(x.output, out)) {
      this.next++;
      return;
    }
    this.fail(`the secondary produced ${out.kind} at ${instret}; predicted ${describe(x)}`);
  }
}

function describe(x: ExpectedCall | undefined): string {
  if (x === undefined) return 'nothing';
  return 'read' in x ? `a ${x.read} read at ${x.instret}` : `${x.output.kind} at ${x.instret}`;
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Byte-exact equality (stronger than the digests the log carries). */
function sameOutput(a: GuestOutput, b: GuestOutput): boolean {
  switch (a.kind) {
    case 'uart': return b.kind === 'uart' && a.byte === b.byte;
    case 'nicTx': return b.kind === 'nicTx' && sameBytes(a.packet, b.packet);
    case 'netTx': return b.kind === 'netTx' && sameBytes(a.frame, b.frame);
    case 'diskRequest': return b.kind === 'diskRequest' && a.id === b.id && a.op === b.op && a.sector === b.sector && a.count === b.count && sameBytes(a.data, b.data);
    case 'exit': return b.kind === 'exit' && a.code === b.code;
    case 'timerArm': return b.kind === 'timerArm' && a.mtimecmp === b.mtimecmp;
  }
}

class SecondaryWorker {
  private readonly vms = new Map<number, RemoteVm>();
  /** Machines of finished secondaries, kept for the next ones (bounded). */
  private readonly spare: Machine[] = [];
  private failure: string | null = null;
  private readonly flag: Int32Array;

  constructor(private readonly setup: WorkerSetup) {
    this.flag = new Int32Array(setup.flag);
  }

  handle(batch: Batch): void {
    readBatch(batch, this.slice, (cmd) => {
      try {
        this.execute(cmd);
      } catch (e) {
        this.fail(`worker error: ${(e as Error).message}`);
        if ('reply' in cmd) this.reply(cmd.reply, null);
      }
    });
  }

  private readonly slice: SliceReader = (vm, limit, instret, exit, calls) => {
    try {
      this.runSlice(vm, { limit, instret, reason: exit ? 'exit' : 'limit', calls });
    } catch (e) {
      this.fail(`worker error: ${(e as Error).message}`);
    }
  };

  private fail(why: string): void {
    this.failure ??= why;
  }

  private execute(cmd: ObjectCommand): void {
    switch (cmd.c) {
      case 'create': return this.create(cmd.vm, cmd.snap);
      case 'deliver': return this.deliver(cmd.vm, cmd.ev);
      case 'take': return this.reply(cmd.reply, this.take(cmd.vm));
      case 'hash': return this.reply(cmd.reply, this.vm(cmd.vm)?.machine.hash() ?? '');
      case 'verdict': return this.reply(cmd.reply, this.failure);
      case 'reset':
        for (const r of this.vms.values()) this.retire(r.machine);
        this.vms.clear();
        this.failure = null;
        return this.reply(cmd.reply, null);
    }
  }

  private vm(id: number): RemoteVm | undefined {
    const r = this.vms.get(id);
    if (r === undefined) this.fail(`no secondary ${id} on the worker`);
    return r;
  }

  /**
   * A machine for a new secondary: a spare one from an earlier run when there is one (its guest code
   * stays translated where the snapshot's pages are unchanged), restored to the snapshot exactly.
   */
  private create(id: number, snap: MachineSnapshot): void {
    const env = new VerifyEnv((why) => this.fail(`VM ${id}: ${why}`));
    const machine = this.spare.pop() ?? new Machine({ env, ramSize: this.setup.ramBytes, diskSectors: this.setup.diskSectors });
    machine.setEnvironment(env);
    machine.restore(snap, true);
    this.vms.set(id, { machine, env });
  }

  private retire(machine: Machine): void {
    if (this.spare.length < SPARE_MACHINES_MAX) this.spare.push(machine);
  }

  private deliver(id: number, ev: InputEvent): void {
    const r = this.vm(id);
    if (r === undefined || this.failure !== null) return;
    if (ev.kind === 'timer') r.env.timerPending = ev.pending;
    r.machine.deliver(ev);
  }

  private runSlice(id: number, s: SliceExpectation): void {
    const r = this.vm(id);
    if (r === undefined || this.failure !== null) return;
    r.env.calls = s.calls;
    r.env.next = 0;
    const reason = r.machine.run(s.limit);
    if (this.failure !== null) return;
    if (reason !== s.reason || r.machine.instret !== s.instret || r.env.next !== s.calls.length) {
      this.fail(`VM ${id}: a slice to ${s.limit} ended ${reason} at ${r.machine.instret} after ${r.env.next} environment calls; predicted ${s.reason} at ${s.instret} after ${s.calls.length}`);
    }
  }

  private take(id: number): RemoteSecondaryState | null {
    const r = this.vm(id);
    if (r === undefined || this.failure !== null) return null;
    this.vms.delete(id);
    const taken = { snapshot: r.machine.snapshot(), armedTimer: r.env.armedTimer, timerPending: r.env.timerPending };
    this.retire(r.machine);
    return taken;
  }

  private reply(n: number, value: unknown): void {
    this.setup.port.postMessage({ value });
    Atomics.store(this.flag, 0, n);
    Atomics.notify(this.flag, 0);
  }
}

/** True in a worker started by WorkerSecondaryExecutor (the CLI's entry point must then do nothing else). */
export function isSecondaryWorker(): boolean {
  return !isMainThread && (workerData as WorkerSetup | null)?.lockstepSecondary === true;
}

/** In a worker started by WorkerSecondaryExecutor: serve its commands. Returns true if it was such a worker. */
function runSecondaryWorkerIfWorker(): boolean {
  if (!isSecondaryWorker()) return false;
  const w = new SecondaryWorker(workerData as WorkerSetup);
  parentPort!.on('message', (batch: Batch) => w.handle(batch));
  return true;
}

runSecondaryWorkerIfWorker();

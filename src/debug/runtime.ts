// The debug runtime: one cluster and its time machine, driven in chunks for a debugger; breakpoints, stepping, travels through the past, faults. Knows nothing of DAP.

import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Cluster } from '../ft/cluster';
import type { Scenario, FaultSpec } from '../ft/scenario';
import { parseScenario, scenarioToJson } from '../ft/scenario';
import type { VmInstance } from '../ft/protocol/vm';
import type { LogicalVm } from '../ft/logical-vm';
import type { TraceEvent } from '../ft/sim/trace';
import { NS_PER_MS } from '../ft/sim/units';
import { ftState } from '../ft/ft-state';
import { describeFault } from '../ft/faults';
import { TimeMachine } from '../replay/time-machine';
import type { TravelStop } from '../replay/time-machine';
import { Reverse } from '../replay/reverse';
import type { ReverseLineKind } from '../replay/reverse';
import type { Search, Progress } from '../replay/search';
import type { Program } from '../machine/program';
import { callAt } from '../machine/calls';
import { ForwardEngine, RunGate, CHUNK_WALL_MS, hitVm, stopWords, STOP_LABEL } from './forward';
import type { Goal, RuntimeStop, StopReason, ExceptionFilter } from './forward';
import { ProgramInfo, hex, withSymbolFile } from './program-info';
import { loadElfSymbols, type SymbolFile } from '../machine/elf';
import { UserSpaces, type UserSpace, type UserSymbolFile } from './user-spaces';
import { stackParts, partAt, debugFrame, type StackPart } from './stack-parts';
import { Breakpoints } from './breakpoints';
import type { BreakMode, CodeBreakpoint, CodeBreakpointKind, DataBreakpoint, HitVm } from './breakpoints';
import { HeldOutputWatch, HELD_OUTPUT_DEFAULT_MS } from './held-output';
import * as access from './vm-access';
import type { DebugFrame, DebugInstruction } from './vm-access';
import { registerRows, csrRows, ftRows, deviceRows, globalRows, peerDiffRows, noPairReason } from './inspect';
import { recoveredRegisters } from './c-frames';
import { argumentRows, valueRow, pointerTarget, writeVariable, writeLvalue, cGlobalRows } from './c-vars';
import { integerValue } from './c-expr';
import { CFrameScope, stopValue } from './c-scope';
import { typeSize } from '../machine/dwarf-type-util';
import { formatValue } from './c-values';
import type { Row } from './inspect';

export { HELD_OUTPUT_DEFAULT_MS } from './held-output';
export { hitMatches } from './breakpoints';
export type { BreakMode, CodeBreakpoint, DataBreakpoint } from './breakpoints';
export { BREAK_MODES } from './breakpoints';
export { NS_PER_MS, fmtMs } from '../ft/sim/units';
export type { Progress } from '../replay/search';
export type { DebugFrame, DebugInstruction } from './vm-access';
export type { Row } from './inspect';
export type { ReverseLineKind } from '../replay/reverse';
export type { RuntimeStop, StopReason, ExceptionFilter } from './forward';

/** The variable tables of one VM (a frame's registers; the FT state; the difference from its peer …). */
export type RowKind = 'regs' | 'csrs' | 'ft' | 'devices' | 'globals' | 'peerDiff';

/** A cluster event as a client hears of it live (a trace event). */
export type ClusterEvent = TraceEvent;

/** Trace event kinds a seek can go to. */
export const SEEKABLE_EVENTS: TraceEvent['kind'][] = ['fault', 'crash', 'detect', 'arbitrate', 'halt', 'goLive', 'respawnStart', 'respawnDone', 'haRestart', 'state', 'release', 'throttle', 'divergence', 'exit', 'violation'];

/** vSphere's FT actions, applied now through `inject` (recorded, so they replay exactly). */
export const FT_ACTIONS = ['testFailover', 'testRestartSecondary', 'turnOffFT', 'turnOnFT', 'suspendFT', 'resumeFT', 'migrateSecondary'] as const;

/** Trace kinds a client hears of live, as `clusterEvent`s. */
const CLUSTER_EVENT_KINDS = new Set<TraceEvent['kind']>([
  'fault', 'crash', 'detect', 'arbitrate', 'halt', 'goLive', 'respawnStart', 'respawnDone', 'haRestart', 'migrate', 'state', 'divergence', 'violation',
]);

export type Divergence = { same: true } | { same: false; instret: number; primary: number; secondary: number };

export interface RuntimeOptions {
  scenario: Scenario;
  program: Program;
  programPath: string;
  /** Faults recorded live in a recording, re-scheduled at their exact times. */
  injected?: { atNs: number; fault: FaultSpec }[];
  /** The program file (an ELF's DWARF describes its C functions, variables and types). */
  programBytes?: Uint8Array;
  /**
   * Simulated lengths of the run chunks, used in turn (normally adapted to ~6 ms of wall time): tests
   * prove that stops and the run itself do not depend on where chunks end.
   */
  chunkPlanNs?: readonly number[];
  /**
   * Search steps per chunk of a travel through the past (normally: as many as fit in ~6 ms of wall time):
   * tests use it to see progress and pause a travel at a known point.
   */
  travelChunkSteps?: number;
  /** Which VM breakpoints, data breakpoints and guest traps stop (default: the primary, once per guest execution). */
  breakOn?: BreakMode;
  /** An ELF that describes the program's code (a kernel's vmlinux behind its firmware): its symbols, lines and DWARF. */
  symbolFile?: { path: string; bytes: Uint8Array; read?: SymbolFile };
  /** With a symbol file (a Linux kernel): the ELFs of user-space programs, by process name, that describe their code while the hart runs them. */
  userSymbolFiles?: readonly UserSymbolFile[];
  /** A cluster of several VMs: every VM's program, by the path its scenario gives. */
  programs?: ReadonlyMap<string, Program>;
  /** A cluster of several VMs: every VM's program file, by the same paths (each program's debug information). */
  programFiles?: ReadonlyMap<string, Uint8Array>;
  /**
   * A cluster of several VMs: the VMs whose instances are threads, by name, the focused one first (default: the
   * first VM). They run `program`, whose symbols the debugger knows.
   */
  showVms?: readonly string[];
}

/**
 * Events: 'output' (text, category), 'vmsChanged' (), 'stopped' (RuntimeStop) for stops found while
 * running, 'clusterEvent' (ClusterEvent) for cluster changes as they first happen (not when re-executing
 * the explored past), 'progress' (Progress) while a long travel through the past goes on; methods that
 * travel in time return their stop.
 */
export class LockstepRuntime extends EventEmitter {
  readonly cluster: Cluster;
  readonly tm: TimeMachine;
  readonly info: ProgramInfo;
  readonly scenario: Scenario;
  readonly endNs: number;
  /** The VMs whose instances are threads; the first is the focused one (its FT state, console, held outputs, lag). */
  readonly shownVms: readonly LogicalVm[];
  private readonly reverse: Reverse;
  private readonly bps: Breakpoints;
  private readonly held: HeldOutputWatch;
  readonly filters = new Set<ExceptionFilter>();
  private readonly gate = new RunGate();
  private readonly engine: ForwardEngine;
  private readonly travelChunkSteps: number | null;
  /** Each program's debug information by the path the VMs' scenarios give, built on first use. */
  private readonly infos = new Map<string, ProgramInfo>();
  private readonly programFiles: ReadonlyMap<string, Uint8Array>;
  /** A Linux guest's user-space programs (userSymbolFiles): for the VMs running the launch's program. */
  private readonly spaces: UserSpaces | undefined;

  constructor(opts: RuntimeOptions) {
    super();
    this.scenario = opts.scenario;
    const sf = opts.symbolFile;
    const kernel = sf === undefined ? undefined : sf.read ?? loadElfSymbols(sf.bytes, sf.path);
    this.info = sf === undefined ? new ProgramInfo(opts.program, opts.programPath, opts.programBytes) : withSymbolFile(opts.program, sf.path, sf.bytes, kernel);
    if (kernel !== undefined && (opts.userSymbolFiles?.length ?? 0) > 0) {
      const base = kernel.symbols.reduce((low, s) => (s.kind === 'func' ? Math.min(low, s.addr >>> 0) : low), Infinity); // vmlinux's _start: PAGE_OFFSET
      this.spaces = new UserSpaces(this.info, opts.userSymbolFiles!, Number.isFinite(base) ? base : 0, (text) => this.emit('output', `Lockstep: ${text}\n`, 'important'));
    }
    this.cluster = new Cluster(opts.scenario, opts.program, { programs: opts.programs });
    for (const i of opts.injected ?? []) this.cluster.scheduleInjected(i.atNs, i.fault);
    this.endNs = opts.scenario.untilMs * NS_PER_MS;
    if (opts.chunkPlanNs !== undefined) {
      const bad = opts.chunkPlanNs.find((n) => !(n > 0 && n < Number.POSITIVE_INFINITY));
      if (opts.chunkPlanNs.length === 0 || bad !== undefined) throw new Error(`chunkPlanNs must be a non-empty list of positive lengths${bad === undefined ? '' : `, not ${bad}`}`);
    }
    if (opts.travelChunkSteps !== undefined && !(Number.isSafeInteger(opts.travelChunkSteps) && opts.travelChunkSteps > 0)) {
      throw new Error(`travelChunkSteps must be a positive integer, not ${opts.travelChunkSteps}`);
    }
    this.travelChunkSteps = opts.travelChunkSteps ?? null;
    this.shownVms = shownMembers(this.cluster, opts.showVms);
    this.programFiles = opts.programFiles ?? new Map();
    this.infos.set(this.mainVm.scenario.program, this.info);
    this.tm = new TimeMachine(this.cluster, { shownVms: this.shownVms.map((m) => m.index) });
    this.reverse = new Reverse(this.tm, (vm: number) => this.infoOf(this.mustVm(vm)));
    this.bps = new Breakpoints((expr, m, at) => {
      const code = at.space === undefined ? undefined : this.spaces?.byKey(at.space);
      return stopValue(m, code?.info ?? this.infoOfProgram(at.program), this.bps.functionAddrs(at.space ?? at.program), expr);
    }, (text, category) => this.emit('output', text, category));
    this.bps.breakOn = opts.breakOn ?? 'primary';
    this.held = new HeldOutputWatch(this.mainVm);
    this.engine = new ForwardEngine(this.forwardContext(), opts.chunkPlanNs ?? null);
    this.hookCluster();
  }

  /** Trace events and checker failures can stop a run; released outputs end held-output backlogs. */
  private hookCluster(): void {
    this.tm.listen({
      traced: (ev) => {
        if (this.engine.observing) this.onTrace(ev);
      },
      released: (vm, seq, atNs) => this.held.released(vm.id, seq, atNs),
    });
    const violated = (name: string, detail: string, vm: string | null) => {
      if (this.engine.observing && this.filters.has('checker')) this.engine.raise({ filter: 'checker', text: `${vm === null ? '' : `${vm}: `}${name}: ${detail}` });
    };
    for (const m of this.cluster.members) m.checkers.onViolation = (name, detail) => violated(name, detail, m.label);
    if (this.cluster.clusterCheckers !== null) this.cluster.clusterCheckers.onViolation = (name, detail) => violated(name, detail, null);
  }

  private onTrace(ev: TraceEvent): void {
    if (CLUSTER_EVENT_KINDS.has(ev.kind) && ev.timeNs >= this.engine.liveFromNs) this.emit('clusterEvent', { ...ev });
    const f: ExceptionFilter | null = ev.kind === 'divergence' ? 'divergence'
      : ev.kind === 'goLive' ? 'failover'
      : ev.kind === 'crash' ? 'hostFailure'
      : ev.kind === 'exit' && /stopped:/.test(ev.text) && this.followed(ev.vm) ? 'guestTrap'
      : null;
    if (f !== null && this.filters.has(f)) this.engine.raise({ filter: f, text: ev.text, vm: ev.vm });
  }

  /** Whether VM `id`'s own stops (a fatal trap) stop the user: the launch's `breakOn` names its role. */
  private followed(id: number | undefined): boolean {
    const v = id === undefined ? undefined : this.cluster.vm(id);
    return v === undefined || this.bps.stopsOn(v.role);
  }

  /** What the forward engine drives and reads of this runtime. */
  private forwardContext(): ConstructorParameters<typeof ForwardEngine>[0] {
    const rt = this;
    return {
      cluster: this.cluster, tm: this.tm, infoOf: (v) => this.infoOf(v), programInfoOf: (v) => this.programInfoOf(this.cluster.ownerOf(v)), spaceOf: (v) => this.spaceOf(v)?.key, endNs: this.endNs, filters: this.filters, bps: this.bps, held: this.held, gate: this.gate,
      get focusVm() { return rt.focusVm; },
      mustVm: (id) => this.mustVm(id),
      codeHit: (v, count) => this.codeHit(v, count),
      dataHit: (v, count) => this.bps.checkData(v.machine, count, this.hitVm(v)),
      changed: () => this.emit('vmsChanged'),
    };
  }

  /** The FT protection state now, as a cluster `state` event (`data.now`: the state at the present moment, not a change). */
  ftStateEvent(): ClusterEvent {
    const st = ftState(this.mainVm);
    return { timeNs: this.cluster.nowNs, kind: 'state', text: st.label, data: { protected: st.protected, now: true } };
  }

  /** The exception the last run stopped at (the filter and what happened). */
  get lastException(): { filter: ExceptionFilter; text: string } | null {
    return this.engine.lastException;
  }

  // ---- VMs ---------------------------------------------------------------------------------------

  /**
   * The debug information of VM `m`'s own program (a cluster's VMs may run different programs): the launch's program
   * for the first shown VM and every VM running the same file, the others' built from their files on first use.
   */
  programInfoOf(m: LogicalVm): ProgramInfo {
    const path = m.scenario.program;
    let info = this.infos.get(path);
    if (info === undefined) {
      info = new ProgramInfo(m.program, path, this.programFiles.get(path));
      this.infos.set(path, info);
    }
    return info;
  }

  /** The debug information of program `program` (a path the VMs' scenario gives). */
  private infoOfProgram(program: string): ProgramInfo {
    const m = this.cluster.members.find((x) => x.scenario.program === program);
    if (m === undefined) throw new Error(`invariant: no VM runs ${program}`);
    return this.programInfoOf(m);
  }

  /**
   * The debug information of the code VM instance `v`'s hart runs now: its program's, or, in a Linux guest's user
   * space, the user program's (userSymbolFiles) whose process runs.
   */
  infoOf(v: VmInstance): ProgramInfo {
    return this.spaceOf(v)?.info ?? this.programInfoOf(this.cluster.ownerOf(v));
  }

  /** The user-space program whose code VM instance `v`'s hart runs now (a VM running the launch's program only). */
  private spaceOf(v: VmInstance): UserSpace | undefined {
    return this.spaces !== undefined && this.programInfoOf(this.cluster.ownerOf(v)) === this.info ? this.spaces.spaceAt(v.machine) : undefined;
  }

  /** The code VM instance `v` runs now: its debug information and the key of its breakpoints' addresses. */
  private codeOf(v: VmInstance): { info: ProgramInfo; program: string } {
    const s = this.spaceOf(v);
    const owner = this.cluster.ownerOf(v);
    return s !== undefined ? { info: s.info, program: s.key } : { info: this.programInfoOf(owner), program: owner.scenario.program };
  }

  /** Instance `v` as breakpoints judge a hit on it (its program and user space: the keys of each breakpoint's addresses). */
  private hitVm(v: VmInstance): HitVm {
    return hitVm(v, this.cluster.ownerOf(v).scenario.program, this.spaceOf(v)?.key);
  }

  /**
   * The programs of the shown VMs, each once, in the order of the VMs, then the user-space programs: where source
   * and function breakpoints resolve.
   */
  get shownPrograms(): { program: string; info: ProgramInfo }[] {
    const seen = new Map<string, ProgramInfo>();
    for (const m of this.shownVms) if (!seen.has(m.scenario.program)) seen.set(m.scenario.program, this.programInfoOf(m));
    for (const s of this.spaces?.spaces ?? []) seen.set(s.key, s.info);
    return [...seen].map(([program, info]) => ({ program, info }));
  }

  /** The debug information of thread `vm`'s program (no thread: the first shown VM's). */
  infoOfThread(vm: number | undefined): ProgramInfo {
    return vm === undefined ? this.info : this.infoOf(this.mustVm(vm));
  }

  /**
   * A source line as a breakpoint in every shown program with code at or after it: the line the first such program
   * moves it to and its addresses there, and each program's addresses (undefined: no program has code there).
   */
  resolveSourceLine(path: string, line: number): { line: number; addrs: number[]; at: Map<string, number[]> } | undefined {
    let first: { line: number; addrs: number[] } | undefined;
    const at = new Map<string, number[]>();
    for (const p of this.shownPrograms) {
      const r = p.info.resolveLine(path, line);
      if (r === undefined || r.addrs.length === 0) continue;
      first ??= r;
      at.set(p.program, r.addrs);
    }
    return first === undefined ? undefined : { ...first, at };
  }

  /**
   * A function breakpoint in every shown program with a function of that name: the first one's address (past its
   * prologue, as GDB stops) and each program's (undefined: no program has one).
   */
  resolveFunction(name: string): { addr: number; at: Map<string, number[]> } | undefined {
    let addr: number | undefined;
    const at = new Map<string, number[]>();
    for (const p of this.shownPrograms) {
      const sym = p.info.symbol(name);
      if (sym === undefined || sym.kind === 'object') continue;
      const a = p.info.functionBreakAddr(sym);
      addr ??= a;
      at.set(p.program, [a]);
    }
    return addr === undefined ? undefined : { addr, at };
  }

  /** The first shown VM: the one whose FT state, console text, held outputs and lag the debugger follows. */
  get mainVm(): LogicalVm {
    return this.shownVms[0];
  }

  /**
   * VMs shown as threads: alive ones and those that stopped by themselves (still inspectable), of the shown VMs
   * (every one runs the program the debugger knows the symbols of), by VM in the scenario's order, then by creation:
   * a VM's primary and secondary sit together.
   */
  get threadVms(): VmInstance[] {
    return this.cluster.members.filter((m) => this.shownVms.includes(m)).flatMap((m) => m.vms.filter(inspectable));
  }

  /** The threads a debugger shows: id and name (with the VM's status when it is not running). */
  threads(): { id: number; name: string }[] {
    return this.threadVms.map((v) => ({ id: v.id, name: this.threadName(v) }));
  }

  vm(id: number): VmInstance | undefined {
    return this.cluster.vm(id);
  }

  hasVm(id: number): boolean {
    return this.cluster.vm(id) !== undefined;
  }

  /** The VM to act on by default: the live primary, else any thread. */
  get focusVm(): VmInstance | undefined {
    return this.mainVm.primary ?? this.threadVms[0];
  }

  get defaultVmId(): number | undefined {
    return this.focusVm?.id;
  }

  get primaryId(): number | undefined {
    return this.mainVm.primary?.id;
  }

  threadName(v: VmInstance): string {
    return v.status === 'running' ? v.name : `${v.name} (${v.status})`;
  }

  vmName(id: number): string {
    return this.mustVm(id).name;
  }

  /** What the guests printed on their consoles up to now (shorter after going back in time). */
  get consoleText(): string {
    return this.mainVm.consoleText;
  }

  get nowNs(): number {
    return this.cluster.nowNs;
  }

  /** The furthest simulated time explored: the end of the recording so far. */
  get frontierNs(): number {
    return this.tm.frontierNs;
  }

  // ---- breakpoints -------------------------------------------------------------------------------

  newBreakpointId(): number {
    return this.bps.newId();
  }

  /** Replaces the code breakpoints of one kind (source breakpoints: of one file, identified by `file`). */
  setCodeBreakpoints(kind: CodeBreakpointKind, bps: Omit<CodeBreakpoint, 'hits' | 'kind' | 'file' | 'stoppedAt'>[], file?: string): CodeBreakpoint[] {
    const added = this.bps.setCode(kind, bps, file);
    const byProgram = new Map(this.shownPrograms.map((p) => [p.program, this.bps.codeAddrs(p.program)]));
    // User spaces' breakpoints are armed on the VMs of the launch's program in every process; a hit in another process goes on.
    const user = (this.spaces?.spaces ?? []).flatMap((s) => byProgram.get(s.key) ?? []);
    this.tm.stops.setCodeOf((v) => {
      const program = this.cluster.ownerOf(v).scenario.program;
      const own = byProgram.get(program) ?? [];
      return user.length > 0 && this.infos.get(program) === this.info ? [...own, ...user] : own;
    }); // the stop set arms the shown VMs only
    return added;
  }

  setDataBreakpoints(bps: Omit<DataBreakpoint, 'hits' | 'stoppedAt'>[]): DataBreakpoint[] {
    const set = this.bps.setData(bps);
    this.tm.stops.setWatches(this.bps.watches);
    return set;
  }

  /** `heldOutputMs`: the condition of the held-output filter (simulated ms; a positive number). */
  setExceptionFilters(filters: ExceptionFilter[], heldOutputMs = HELD_OUTPUT_DEFAULT_MS): void {
    this.held.setLimit(heldOutputMs);
    this.filters.clear();
    for (const f of filters) this.filters.add(f);
    this.tm.stops.setTrapVector(this.filters.has('guestTrap'), (v) => this.programInfoOf(this.cluster.ownerOf(v)).afterMtvecWrites);
  }

  /** The launch's `breakOn`: which VMs stop at a breakpoint that names no mode. */
  get breakOn(): BreakMode {
    return this.bps.breakOn;
  }

  get heldOutputMs(): number {
    return this.held.limitMs;
  }

  /** A user breakpoint hit at the VM's pc, or a guest trap (the trap vector, for an exception) when that filter is on. */
  private codeHit(v: VmInstance, count: boolean): { stop: boolean; ids: number[]; kind: CodeBreakpointKind | 'trap' } {
    const hit = this.bps.checkCode(v.machine, count, this.hitVm(v));
    const cpu = v.machine.cpu;
    if (hit.ids.length === 0 && this.filters.has('guestTrap') && this.bps.stopsOn(v.role) && (cpu.pc >>> 0) === ((cpu.mtvec & ~3) >>> 0) && (cpu.mcause >>> 31) === 0) {
      return { stop: true, ids: [], kind: 'trap' };
    }
    return hit;
  }

  // ---- one VM's state, for the session -------------------------------------------------------------

  frames(vm: number): DebugFrame[] {
    return this.stack(this.mustVm(vm)).flatMap((p) => p.frames.map(debugFrame));
  }

  /** VM instance `v`'s call stack: the code it runs now, then a user program's frames under the kernel's (Linux). */
  private stack(v: VmInstance): StackPart[] {
    const spaces = this.spaceOf(v) === undefined && this.programInfoOf(this.cluster.ownerOf(v)) === this.info ? this.spaces : undefined;
    return stackParts(v.machine, this.codeOf(v), spaces, (program) => this.bps.functionAddrs(program));
  }

  /** A variable table of VM `vm` (empty when the VM is gone); `frame`: registers as an outer frame sees them. */
  rows(vm: number, kind: RowKind, frame?: { pc: number; sp: number }): Row[] {
    const v = this.cluster.vm(vm);
    if (v === undefined) return [];
    switch (kind) {
      case 'regs': {
        // A caller frame: the registers call frame information recovers for it (its machine frame's); a user
        // program's frame under the kernel's: the registers its trap saved.
        const parts = frame === undefined ? [] : this.stack(v);
        const part = parts.find((p) => p.frames.some((f) => f.pc === frame?.pc && f.sp === frame.sp));
        const level = part?.frames.find((f) => f.pc === frame?.pc && f.sp === frame.sp)?.machineLevel;
        // Without call frame information (hand-written assembly) prologue analysis recovers a caller's pc and sp only:
        // the rest is `<not saved>`, never the top frame's values under the caller's name.
        const saved = part === undefined || level === undefined || (level === 0 && part.machine) ? undefined : recoveredRegisters(part.frames, level) ?? new Map<number, number>();
        return registerRows(v.machine, frame, saved);
      }
      case 'csrs': return csrRows(v.machine);
      case 'ft': return ftRows(this, v);
      case 'devices': return deviceRows(v.machine);
      case 'globals': {
        const typed = cGlobalRows(v.machine, this.infoOf(v)); // C globals with their types when DWARF has them
        return typed.length > 0 ? typed : globalRows(v.machine, this.infoOf(v).symbols);
      }
      case 'peerDiff': return peerDiffRows(this, v);
    }
  }

  /** Problems met reading the program's DWARF so far (units are read as they are needed): one message each. */
  get debugInfoProblems(): string[] {
    return this.shownPrograms.flatMap((p) => p.info.dwarf?.errors() ?? []);
  }

  /** Whether source frame `depth` of VM `vm` has C variables (DWARF describes its function). */
  hasCScopes(vm: number, depth: number): boolean {
    const v = this.cluster.vm(vm);
    return v !== undefined && partAt(this.stack(v), depth)?.frame.dwarf !== undefined;
  }

  /**
   * Source frame `depth` of VM `vm` as a C scope, read with its part's program (the top frame when there is no such
   * frame, unless `exact`).
   */
  private cScope(vm: number, depth: number, exact = false): CFrameScope | undefined {
    const v = this.cluster.vm(vm);
    if (v === undefined) return undefined;
    const parts = this.stack(v);
    const at = partAt(parts, depth) ?? (exact ? undefined : partAt(parts, 0));
    return at === undefined || at.part.info.dwarf === undefined ? undefined : new CFrameScope(v.machine, at.part.info, at.part.frames, at.frame);
  }

  /** The Arguments or Locals of source frame `depth` as rows (locals of inner blocks first, as GDB lists them). */
  cRows(vm: number, depth: number, which: 'args' | 'locals'): Row[] {
    const s = this.cScope(vm, depth, true);
    const d = s?.frame.dwarf;
    if (s === undefined || d === undefined) return [];
    // A name an inner block shadows is listed again (as GDB does), but C names only the innermost.
    return which === 'args' ? argumentRows(s, d.parameters) : d.locals.map((x, i) => valueRow(x.name, s.read(x), s.src, d.locals.findIndex((y) => y.name === x.name) === i ? x.name : undefined));
  }

  /**
   * A C expression as GDB's `print` shows it in source frame `depth` (and the address for the memory view: a
   * pointer's target, else the value's own), or undefined when it is none this frame knows.
   */
  evaluateC(vm: number, depth: number, expr: string): { text: string; address: number | undefined } | undefined {
    const s = this.cScope(vm, depth);
    if (s === undefined) return undefined;
    const value = s.printable(expr);
    return value === undefined ? undefined : { text: formatValue(value, s.src, true), address: pointerTarget(value) ?? value.addr };
  }

  /** Where a C lvalue lives in memory and how big it is (a data breakpoint on `qCount`, `s->box`, a bit field's bytes), or undefined. */
  cObject(vm: number, depth: number, expr: string): { addr: number; size: number } | undefined {
    const s = this.cScope(vm, depth);
    if (s === undefined) return undefined;
    const { value } = s.evaluate(expr);
    const b = value?.bits;
    if (b !== undefined) return { addr: (b.addr + (b.bitOffset >> 3)) >>> 0, size: ((b.bitOffset + b.bitSize - 1) >> 3) - (b.bitOffset >> 3) + 1 }; // the bytes a bit field spans
    const size = value === undefined ? undefined : typeSize(value.type);
    return value?.addr === undefined || size === undefined || size === 0 ? undefined : { addr: value.addr, size };
  }

  /**
   * Sets a C argument or local (a number, pointer or enum) of source frame `depth` to an expression's value,
   * where its location can take a write (memory; a register of the top frame); history branches there.
   * Returns the new value as shown.
   */
  setCVariable(vm: number, depth: number, which: 'args' | 'locals', name: string, valueText: string): string {
    this.assertStopped();
    const s = this.cScope(vm, depth, true);
    const d = s?.frame.dwarf;
    const x = (which === 'args' ? d?.parameters : d?.locals)?.find((p) => p.name === name);
    if (s === undefined || x === undefined) throw new Error(`no C variable ${JSON.stringify(name)} in that frame`);
    const n = this.numberIn(s, vm, valueText);
    writeVariable(s, x, n);
    this.tm.branch(); // the old future did not have this write
    return this.cRows(vm, depth, which).find((r) => r.name === name)?.value ?? String(n);
  }

  /**
   * Sets a C lvalue in memory (a member `pk.length`, an element `grid[1][2]`, a bit field, `*p`) of source frame
   * `depth` to an expression's value; history branches there. `globals`: the row is a global's, so the name
   * must not be shadowed by a local of the frame. Returns the new value as shown.
   */
  setCLvalue(vm: number, depth: number, expr: string, valueText: string, globals = false): string {
    this.assertStopped();
    const s = this.cScope(vm, depth);
    const root = /^[(*]*(\w+)/.exec(expr)?.[1];
    if (globals && root !== undefined && s?.variable(root)?.kind !== 'global') throw new Error(`${root} is shadowed by a local here: set it in its own scope`);
    const target = s?.printable(expr);
    if (s === undefined || target === undefined) throw new Error(`${expr}: no such C object in that frame`);
    writeLvalue(s.m, target, this.numberIn(s, vm, valueText), expr);
    this.tm.branch(); // the old future did not have this write
    const after = this.cScope(vm, depth)?.printable(expr);
    return after === undefined ? valueText : formatValue(after, s.src, false);
  }

  /** An integer from an expression: C in the frame, else the machine's. */
  private numberIn(s: CFrameScope, vm: number, valueText: string): bigint {
    const c = s.printable(valueText);
    const n = c !== undefined ? integerValue(c) : BigInt(this.evaluate(vm, valueText).value);
    if (n === undefined) throw new Error(`${valueText}: not a number`);
    return n;
  }

  /** Sets pc, a register or a CSR of a stopped VM from an expression; from a past moment, history branches there. */
  setRegister(vm: number, scope: 'regs' | 'csrs', name: string, valueText: string): number {
    this.assertStopped();
    const v = this.cluster.vm(vm);
    if (v === undefined) throw new Error('that VM is gone');
    const value = access.setRegister(v.machine, this.infoOf(v), scope, name, valueText);
    this.tm.branch(); // the old future did not have this write
    return value;
  }

  evaluate(vm: number, expr: string): { value: number; address: number | undefined } {
    const v = this.mustVm(vm);
    return access.evaluateIn(v.machine, this.infoOf(v), expr);
  }

  /** An expression's value, or undefined when it does not evaluate. */
  tryEvaluate(vm: number, expr: string): number | undefined {
    try {
      return this.evaluate(vm, expr).value >>> 0;
    } catch {
      return undefined;
    }
  }

  inRam(vm: number, addr: number, len: number): boolean {
    return this.mustVm(vm).machine.view.contains(addr, len);
  }

  readMemory(vm: number, start: number, count: number): { bytes: Uint8Array; unreadable: number } {
    return access.readMemory(this.mustVm(vm).machine, start >>> 0, count);
  }

  /** Writes a stopped VM's RAM; from a past moment, history branches there (the old future is discarded). */
  writeMemory(vm: number, start: number, data: Uint8Array, allowPartial: boolean): number {
    this.assertStopped();
    const n = access.writeMemory(this.mustVm(vm).machine, start >>> 0, data, allowPartial);
    this.tm.branch(); // the old future did not have this write
    return n;
  }

  disassemble(vm: number, start: number, instructionOffset: number, count: number): DebugInstruction[] {
    const v = this.mustVm(vm);
    return access.disassemble(v.machine, this.infoOf(v), start, instructionOffset, count);
  }

  // ---- running forward ---------------------------------------------------------------------------

  get isRunning(): boolean {
    return this.gate.running;
  }

  /** Stops a run between two chunks (a runaway guest pauses within one chunk, ~6 ms of wall time). */
  pause(): void {
    this.gate.pause();
  }

  private drive(goal: Goal): Promise<RuntimeStop> {
    return this.engine.drive(goal);
  }

  continue(): Promise<RuntimeStop> {
    return this.drive({ kind: 'continue' });
  }

  stepInstruction(vm: number, count = 1): Promise<RuntimeStop> {
    return this.drive({ kind: 'instr', vm, count });
  }

  /** Steps until the source line changes (over calls when `over`). Instruction step when there is no line info. */
  stepLine(vm: number, over: boolean): Promise<RuntimeStop> {
    const v = this.mustVm(vm);
    const info = this.infoOf(v);
    const loc = info.location(v.machine.cpu.pc);
    if (loc === undefined) return this.stepOverOrInto(vm, over);
    const startFn = info.functionAt(v.machine.cpu.pc)?.addr;
    return this.drive({ kind: 'line', vm, over, startLine: `${loc.path}:${loc.line}`, startCfa: info.frameCfa(v.machine), startFn, steps: 0, space: this.spaceOf(v)?.key });
  }

  /** Instruction step, or over a call instruction when `over`. */
  stepOverOrInto(vm: number, over: boolean): Promise<RuntimeStop> {
    const v = this.mustVm(vm);
    const pc = v.machine.cpu.pc >>> 0;
    const call = over ? callAt(v.machine, pc) : undefined;
    if (call !== undefined) return this.drive({ kind: 'out', vm, retAddr: (pc + call.len) >>> 0, cfa: v.machine.cpu.x[2] >>> 0 });
    return this.drive({ kind: 'instr', vm, count: 1 });
  }

  /** Runs until the current function returns to its caller (the unwinder's return address and frame). */
  stepOut(vm: number): Promise<RuntimeStop> {
    const v = this.mustVm(vm);
    const frames = this.infoOf(v).unwind(v.machine, 2);
    const caller = frames[1];
    if (caller === undefined) return this.drive({ kind: 'instr', vm, count: 1 });
    return this.drive({ kind: 'out', vm, retAddr: caller.pc, cfa: caller.sp });
  }

  /** Runs forward to a simulated time in chunks (pausable), ignoring breakpoints: a seek into the future. */
  runUntil(untilNs: number): Promise<RuntimeStop> {
    return this.drive({ kind: 'time', untilNs: Math.min(untilNs, this.endNs) });
  }

  private mustVm(id: number): VmInstance {
    const v = this.cluster.vm(id);
    if (v === undefined) throw new Error(`no VM with thread id ${id}`);
    return v;
  }

  // ---- time travel -------------------------------------------------------------------------------

  private travelled(stop: TravelStop, vm: number | undefined, what: string): RuntimeStop {
    this.emit('vmsChanged');
    if (stop.reason === 'unreachable') throw new Error(`${what}: that point cannot be reached`);
    if (stop.reason === 'start') return { reason: 'step', vm, description: 'Start of the recording' };
    return { reason: 'goto', vm: stop.vm ?? vm };
  }

  /**
   * Runs a travel through the past in chunks like a forward run: it reports progress ('progress') when it
   * takes longer than a chunk, and a pause abandons it and comes back to where it started (null).
   */
  private async travel<T>(search: Search<T>): Promise<{ value: T } | null> {
    this.gate.begin('the cluster is running: pause it first');
    const start = this.tm.here();
    let lastYield = performance.now();
    try {
      for (let steps = 1; ; steps++) {
        const r = search.next();
        if (r.done === true) return { value: r.value };
        const chunkDone = this.travelChunkSteps !== null ? steps % this.travelChunkSteps === 0 : performance.now() - lastYield >= CHUNK_WALL_MS;
        if (!chunkDone) continue;
        this.emit('progress', r.value satisfies Progress);
        await new Promise<void>((res) => setImmediate(res));
        lastYield = performance.now();
        if (this.gate.pauseRequested) {
          search.return(undefined as never);
          this.tm.returnTo(start);
          return null;
        }
      }
    } finally {
      this.gate.end();
      this.emit('vmsChanged');
    }
  }

  private static paused(vm: number | undefined, what: string): RuntimeStop {
    return { reason: 'pause', vm, description: `Paused: ${what} stopped where it began` };
  }

  stepBack(vm: number): RuntimeStop {
    this.assertStopped();
    const s = this.reverse.stepInstruction(vm);
    this.emit('vmsChanged');
    if (s.reason === 'start') return { reason: 'step', vm, description: 'Start of the recording' };
    if (s.reason === 'unreachable') throw new Error('step back: that point cannot be reached');
    return { reason: 'step', vm };
  }

  /** Back one source line (`over` calls, `in` to the last line run, `out` to the call of this function); one instruction back without line information. */
  async stepBackLine(vm: number, kind: ReverseLineKind = 'over'): Promise<RuntimeStop> {
    this.mustVm(vm);
    const r = await this.travel(this.reverse.stepLine(vm, kind));
    if (r === null) return LockstepRuntime.paused(vm, 'step back');
    const s = r.value;
    if (s.reason === 'start') return { reason: 'step', vm, description: 'Start of the recording' };
    if (s.reason === 'unreachable') throw new Error('step back: that point cannot be reached');
    return { reason: 'step', vm };
  }

  /** Back to the last breakpoint/data breakpoint hit whose condition holds (or to the start). */
  async reverseContinue(vm: number): Promise<RuntimeStop> {
    let stop: RuntimeStop | null = null;
    const r = await this.travel(this.reverse.reverseContinue(vm, (hit) => {
      stop = this.reverseHit(hit.vm, hit.reason);
      return stop !== null;
    }));
    if (r === null) return LockstepRuntime.paused(vm, 'reverse continue');
    const s = r.value;
    if (s.reason === 'start') return { reason: 'step', vm, description: 'Start of the recording' };
    if (s.reason === 'unreachable') throw new Error('reverse continue: that point cannot be reached');
    if (s.reason === 'limit') return { reason: 'pause', vm, description: 'Too many breakpoint hits whose condition is false' };
    return stop ?? { reason: 'step', vm };
  }

  /** The stop a reverse continue lands on at a hit of VM `vm` (conditions hold), or null to go on back. Hits are not counted going back. */
  private reverseHit(vm: number, reason: TravelStop['reason']): RuntimeStop | null {
    const hv = this.mustVm(vm);
    if (reason === 'watchpoint') {
      const hit = this.bps.checkData(hv.machine, false, this.hitVm(hv));
      if (!hit.stop && (this.bps.hasData || !this.bps.stopsOn(hv.role))) return null;
      return { reason: 'data breakpoint', vm, hitIds: hit.ids, ...stopWords('Data breakpoint', hv) };
    }
    if (reason !== 'breakpoint') return null;
    const hit = this.codeHit(hv, false);
    if (!hit.stop) return null;
    const r: StopReason = hit.kind === 'function' ? 'function breakpoint' : hit.kind === 'instruction' ? 'instruction breakpoint' : 'breakpoint';
    return { reason: r, vm, hitIds: hit.ids, ...stopWords(STOP_LABEL[r], hv) };
  }

  /**
   * Goto as a jump in time (a deterministic replay debugger must not move pc: that would fork the run):
   * to the most recent past moment VM `vm` was about to execute `addr`, else the next future one
   * (bounded by the scenario's end). Null when there is neither; the cluster is then where it was.
   */
  async goto(vm: number, addr: number): Promise<RuntimeStop | null> {
    this.mustVm(vm);
    const back = await this.travel(this.reverse.gotoBack(vm, addr >>> 0));
    if (back === null) return LockstepRuntime.paused(vm, 'goto');
    if (back.value) return { reason: 'goto', vm, description: `Back at ${hex(addr >>> 0)} (instruction ${this.mustVm(vm).machine.instret})` };
    const here = this.tm.here();
    const s = await this.drive({ kind: 'goto', vm, addr: addr >>> 0 });
    if (s.reason === 'goto' || s.description === 'Paused') return s;
    this.tm.returnTo(here);
    this.emit('vmsChanged');
    return null;
  }

  seekTime(tNs: number): RuntimeStop {
    this.assertStopped();
    if (!(tNs >= 0)) throw new Error(`seek: bad time ${tNs}`);
    return this.travelled(this.tm.seekTime(Math.min(tNs, this.endNs)), this.focusVm?.id, 'seek');
  }

  seekInstret(vm: number, instret: number): RuntimeStop {
    this.assertStopped();
    if (this.cluster.vm(vm) === undefined) throw new Error(`seek: no VM ${vm}`);
    if (!Number.isSafeInteger(instret) || instret < 0) throw new Error(`seek: bad instruction count ${instret}`);
    return this.travelled(this.tm.seekInstret(vm, instret), vm, 'seek');
  }

  /** Just after the n-th (0-based) cluster event of `kind` (fault, detect, arbitrate, goLive, respawnDone, release …). */
  seekEvent(kind: string, n: number): RuntimeStop {
    this.assertStopped();
    if (!SEEKABLE_EVENTS.includes(kind as TraceEvent['kind'])) throw new Error(`seek: unknown event kind ${JSON.stringify(kind)} (one of ${SEEKABLE_EVENTS.join(', ')})`);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`seek: bad event number ${n}`);
    const stop = this.tm.seekEvent(kind as TraceEvent['kind'], n);
    if (stop.reason === 'unreachable') throw new Error(`seek: there is no ${kind} number ${n} in the explored history`);
    return this.travelled(stop, this.focusVm?.id, 'seek');
  }

  private assertStopped(): void {
    if (this.gate.running) throw new Error('the cluster is running: pause it first');
  }

  // ---- faults and checkpoints --------------------------------------------------------------------

  /** Validates a fault object against the scenario (hosts included) and injects it now. */
  inject(fault: Record<string, unknown>): { atNs: number; fault: FaultSpec; text: string } {
    this.assertStopped();
    if (fault === null || typeof fault !== 'object' || Array.isArray(fault)) throw new Error('injectFault: a fault object is needed, e.g. {"kind": "hostCrash", "host": "@primary"}');
    const parsed = parseScenario({ ...scenarioToJson(this.scenario), faults: [{ atMs: 0, ...fault }] }).faults[0];
    const atNs = this.tm.inject(parsed);
    return { atNs, fault: parsed, text: describeFault(parsed) };
  }

  /** One of vSphere's FT actions (FT_ACTIONS), now; `vm`: the VM of a cluster it concerns, by name (default: the first). */
  ftAction(action: unknown, vm?: unknown): { atNs: number; fault: FaultSpec; text: string } {
    if (typeof action !== 'string' || !(FT_ACTIONS as readonly string[]).includes(action)) {
      throw new Error(`ftAction: unknown action ${JSON.stringify(action)} (valid: ${FT_ACTIONS.join(', ')})`);
    }
    return this.inject(vm === undefined ? { kind: action } : { kind: action, vm: this.memberNamed(vm, 'ftAction').name });
  }

  /** The cluster's VM named `name`, or a clear error (an unknown name; a single VM, which has none). */
  private memberNamed(name: unknown, what: string): LogicalVm {
    const names = this.cluster.members.flatMap((m) => (m.label === null ? [] : [m.label]));
    if (names.length === 0) throw new Error(`${what}: a VM is named only in a cluster of several VMs (this scenario has one)`);
    const m = this.cluster.members.find((x) => x.label === name);
    if (m === undefined) throw new Error(`${what}: no VM named ${JSON.stringify(name)} (the cluster's VMs: ${names.join(', ')})`);
    return m;
  }

  /** The shown VM whose instance thread `id` is (an error for another VM's). */
  private shownVmOf(id: number): LogicalVm {
    const m = this.cluster.ownerOf(this.mustVm(id));
    if (!this.shownVms.includes(m)) throw new Error(`thread ${id} is ${m.name}'s, which the debugger does not show (showVms)`);
    return m;
  }

  /**
   * The VM whose pair a request (`what`, for errors) compares or searches: `vm`, by name (any VM of a cluster, shown as
   * threads or not: the cluster runs them all), or the VM of `thread` (a shown VM's), default the first shown VM.
   */
  pairVm(what: string, by: { thread?: number; vm?: unknown }): LogicalVm {
    if (by.vm !== undefined && by.thread !== undefined) throw new Error(`${what}: give a VM or a thread, not both`);
    if (by.vm !== undefined) return this.memberNamed(by.vm, what);
    return by.thread === undefined ? this.mainVm : this.shownVmOf(by.thread);
  }

  /**
   * The pair to compare: the primary and its secondary (the latter also when it has diverged) of VM `m`, default the
   * first shown VM.
   */
  pair(m: LogicalVm = this.mainVm): { p: VmInstance; s: VmInstance } | undefined {
    const mine = m.vms.filter(inspectable); // as threads are
    const p = m.primary ?? mine.find((v) => v.role === 'primary');
    const s = m.secondary ?? mine.find((v) => v.role === 'secondary' && (p === undefined || v.peer === p.id || p.peer === v.id));
    return p !== undefined && s !== undefined ? { p, s } : undefined;
  }

  /**
   * The first instruction count at which the primary's and secondary's machine states (hashes) of VM `m` (default the
   * first shown, or any VM of a cluster) differ, searched over the recording (see Reverse.firstDivergence). Leaves the
   * cluster with the secondary there; when they never differ (or the search is paused), the cluster stays at the
   * present. A secondary that stopped (diverged) while its state still matched, e.g. waiting for an interrupt the log
   * omits, is not a difference here.
   */
  async findDivergence(m: LogicalVm = this.mainVm): Promise<Divergence> {
    this.assertStopped();
    const pr = this.pair(m);
    if (pr === undefined) throw new Error(`findDivergence: ${noPairReason(this, m)}`);
    const [p, s] = [pr.p.id, pr.s.id];
    const r = await this.travel(this.reverse.firstDivergence(p, s));
    if (r === null) throw new Error('findDivergence: paused before the search ended (the cluster is where it was)');
    const found = r.value;
    if (found === null) return { same: true };
    this.seekInstret(s, found);
    return { same: false, instret: found, primary: p, secondary: s };
  }

  checkpoint(op: string, name: string | undefined): { name: string; nowNs: number }[] {
    switch (op) {
      case 'create':
        if (!name) throw new Error('checkpoint create: a name is needed');
        this.assertStopped();
        this.tm.bookmark(name);
        return this.tm.listBookmarks();
      case 'list':
        return this.tm.listBookmarks();
      case 'jump':
        this.assertStopped();
        if (!name || !this.tm.jumpToBookmark(name)) throw new Error(`checkpoint jump: no checkpoint named ${JSON.stringify(name)}`);
        this.emit('vmsChanged');
        return this.tm.listBookmarks();
      case 'delete':
        if (!name || !this.tm.deleteBookmark(name)) throw new Error(`checkpoint delete: no checkpoint named ${JSON.stringify(name)}`);
        return this.tm.listBookmarks();
      default:
        throw new Error(`checkpoint: unknown op ${JSON.stringify(op)} (create, list, jump, delete)`);
    }
  }

  /** Runs `f` and comes back to exactly the present. */
  visitAndReturn<T>(f: () => T): T {
    const here = this.tm.here();
    try {
      return f();
    } finally {
      this.tm.returnTo(here);
    }
  }
}

/** An instance a debugger can still inspect: alive, or stopped by itself (not lost with a host, not halted). */
function inspectable(v: VmInstance): boolean {
  return v.status !== 'crashed' && v.status !== 'halted';
}

/** The members named by `showVms` (an unknown name is an error), or the first VM. */
function shownMembers(c: Cluster, names: readonly string[] | undefined): LogicalVm[] {
  if (names === undefined || names.length === 0) return [c.main];
  return names.map((n) => {
    const m = c.members.find((x) => x.label === n);
    if (m === undefined) throw new Error(`showVms: no VM named ${JSON.stringify(n)}`);
    return m;
  });
}

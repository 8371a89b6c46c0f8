// The Debug Adapter Protocol session: translates DAP requests into LockstepRuntime calls and runtime stops into DAP events; no simulation logic here.

import { basename } from 'node:path';
import {
  LoggingDebugSession, InitializedEvent, StoppedEvent, ContinuedEvent, ExitedEvent, TerminatedEvent, OutputEvent, ThreadEvent, InvalidatedEvent,
  Thread, StackFrame, Scope, Source, Handles, MemoryEvent, ProgressStartEvent, ProgressUpdateEvent, ProgressEndEvent, logger, Logger, Event,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { LockstepRuntime, fmtMs, HELD_OUTPUT_DEFAULT_MS, NS_PER_MS } from './runtime';
import type { RuntimeStop, ExceptionFilter, ClusterEvent, Progress, Row, RowKind, ReverseLineKind, BreakMode } from './runtime';
import type { ProgramAddrs } from './breakpoints';
import { prepareLaunch } from './launch';
import { formatValue } from './evaluate';
import { compareVms, timeline, hostsView, hasPair, noPairReason } from './inspect';
import { ABI_NAMES, hex } from './program-info';
import { parseConsoleCommand, CONSOLE_HELP, CONSOLE_VERBS } from './commands';
import { formatConsoleReply } from './console-format';
import type { ReplyBody } from './requests';
import { CLUSTER_EVENT, IF_NO_PAIR, REVERSE_STEP_KINDS } from './requests';

/** The C frame a row's evaluateName is read in (`globals`: a global's row, which a local may not shadow). */
type CFrameRef = { vm: number; depth: number; globals: boolean };
type VarRef = { kind: RowKind; vm: number; frame?: { pc: number; sp: number } } | { kind: 'args' | 'locals'; vm: number; depth: number }
  | { kind: 'rows'; rows: Row[]; c?: CFrameRef } | { kind: 'page'; page: NonNullable<Row['indexed']>; c?: CFrameRef };

/** Frame ids encode the thread: vm * FRAME_STRIDE + depth. */
const FRAME_STRIDE = 1000;

const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = [
  { filter: 'divergence', label: 'Divergence', description: 'The secondary computed something the primary did not log', default: true },
  { filter: 'failover', label: 'Failover', description: 'A secondary went live as the new primary', default: false },
  { filter: 'hostFailure', label: 'Host failure', description: 'A VM stopped because its host failed', default: false },
  { filter: 'guestTrap', label: 'Guest trap', description: 'A synchronous exception in the guest (not interrupts), or a fatal trap', default: false },
  { filter: 'checker', label: 'Checker failure', description: 'An FT invariant checker failed', default: true },
  // On because a held output is what a client of a fault-tolerant server sees as latency: the Output
  // Rule keeps it until the secondary acknowledges the log, so a slow or broken logging link shows here first.
  {
    filter: 'heldOutput', label: 'Output held longer than N ms', default: false, supportsCondition: true,
    description: 'The primary has an output the Output Rule has held (not yet acknowledged by the secondary) for more than N ms of simulated time',
    conditionDescription: `N, in simulated ms (default ${HELD_OUTPUT_DEFAULT_MS})`,
  },
];

/** Which VM a source or instruction breakpoint stops (none given: the launch's `breakOn`, default `primary`). */
const BREAKPOINT_MODES: DebugProtocol.BreakpointMode[] = [
  { mode: 'primary', label: 'Primary', description: 'Stop the primary VM (once per guest execution)', appliesTo: ['source', 'instruction'] },
  { mode: 'both', label: 'Primary and secondary', description: 'Stop the primary, then the secondary where it replays the same instruction', appliesTo: ['source', 'instruction'] },
  { mode: 'secondary', label: 'Secondary', description: 'Stop the secondary VM as it replays the log (not the primary)', appliesTo: ['source', 'instruction'] },
];

/**
 * Requests whose error VS Code shows nowhere else, so `showUser` puts it in a notification: the user's own actions.
 * Every other error is quiet (`showUser: false`): VS Code shows an evaluate's error inline (Watch, hover, once in the
 * Debug Console), and the extension shows a custom request's where it belongs (the Compare tab, the Hosts view).
 */
const LOUD_REQUESTS = new Set(['launch', 'configurationDone', 'continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto', 'pause', 'setVariable', 'writeMemory']);

/**
 * What an injected fault does while the cluster is stopped: nothing yet. A fault is an event of the simulated world
 * at the next nanosecond; applying it means running the clock, which would move the VMs away from where they stopped.
 */
const PENDING_FAULT = 'it takes effect when the cluster runs on (continue or step): a fault is an event of the simulated world, so while stopped the VMs stay where they are; the Hosts view lists it as scheduled until then';

class RequestError extends Error {}

export class LockstepSession extends LoggingDebugSession {
  private rt: LockstepRuntime | undefined;
  private stopOnEntry = true;
  private configured = false;
  private launched = false;
  /** DWARF problems already shown in the Debug Console. */
  private readonly debugInfoNoted = new Set<string>();
  /** A custom request or console verb is jumping in time: its stop goes out after a `continued` (see announceTravel). */
  private travelPending = false;
  private readonly vars = new Handles<VarRef>();
  private knownThreads = new Set<number>();
  private focusVmId: number | undefined;
  /** The guests' console text shown so far (the longest of this history: going back does not shorten it). */
  private consoleShown = '';
  /** DAP's `exited` event went out (once: going back in time and powering off again does not repeat it). */
  private exitSent = false;
  /** The FT state label the client last heard of (a `state` cluster event). */
  private ftStateShown: string | undefined;
  private clientProgress = false;
  private progressSeq = 0;
  private activeProgress: string | undefined;
  /** Goto target ids → code addresses (ids only grow, so a stale id never names another address). */
  private gotoAddrs = new Map<number, number>();
  private nextGotoId = 1;

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  // ---- plumbing ------------------------------------------------------------------------------------

  /** Runs a handler; any exception (bad arguments included) becomes an error response, never a crash. */
  private handle(response: DebugProtocol.Response, f: () => void | Promise<void>): void {
    const fail = (e: unknown): void => {
      const msg = e instanceof Error ? e.message : String(e);
      response.success = false;
      response.message = msg;
      response.body = { error: { id: 1, format: msg.replace(/[{}]/g, (c) => (c === '{' ? '(' : ')')), showUser: LOUD_REQUESTS.has(response.command) } };
      this.sendResponse(response);
    };
    try {
      const r = f();
      if (r instanceof Promise) r.catch(fail);
    } catch (e) {
      fail(e);
    }
  }

  private get runtime(): LockstepRuntime {
    if (this.rt === undefined) throw new RequestError('no program is running: launch first');
    return this.rt;
  }

  /** The VM (thread) id of a request, checked. */
  private vmOf(threadId: unknown): number {
    if (typeof threadId !== 'number') throw new RequestError('threadId: a number is needed');
    if (!this.runtime.hasVm(threadId)) throw new RequestError(`no thread ${threadId}`);
    return threadId;
  }

  private vmOfFrame(frameId: unknown): number | undefined {
    if (typeof frameId !== 'number') return this.focus();
    const vm = Math.floor(frameId / FRAME_STRIDE);
    return this.runtime.hasVm(vm) ? vm : undefined;
  }

  /** The VM last stopped in, else the runtime's default (the live primary). */
  private focus(): number | undefined {
    const rt = this.runtime;
    return this.focusVmId !== undefined && rt.hasVm(this.focusVmId) ? this.focusVmId : rt.defaultVmId;
  }

  private syncThreads(): void {
    if (this.rt === undefined) return;
    const now = new Set(this.rt.threads().map((t) => t.id));
    for (const id of now) if (!this.knownThreads.has(id)) this.sendEvent(new ThreadEvent('started', id));
    for (const id of this.knownThreads) if (!now.has(id)) this.sendEvent(new ThreadEvent('exited', id));
    this.knownThreads = now;
  }

  /**
   * The guests' console text not shown yet. After going back in time the text is shorter, and running forward again
   * through the same history prints nothing until it passes what was already shown; a what-if branch whose text
   * differs prints from where it differs.
   */
  private flushConsole(): void {
    if (this.rt === undefined) return;
    const text = this.rt.consoleText;
    const shown = this.consoleShown;
    if (text.length <= shown.length && shown.startsWith(text)) return; // the past of what was shown
    const from = text.startsWith(shown) ? shown.length : commonPrefix(text, shown);
    if (text.length > from) this.sendEvent(new OutputEvent(text.slice(from), 'stdout'));
    this.consoleShown = text;
  }

  /**
   * The FT state at the present moment as a `lockstep.clusterEvent` of kind `state` (what the status bar follows),
   * when it differs from the last one sent or `always` (after a time jump): travels and runs through the explored past
   * send no trace events, so without it the status bar would keep the state of another moment.
   */
  private sendFtState(always: boolean): void {
    if (this.rt === undefined) return;
    const ev = this.rt.ftStateEvent();
    if (!always && ev.text === this.ftStateShown) return;
    this.ftStateShown = ev.text;
    this.sendEvent(new Event(CLUSTER_EVENT, ev));
  }

  /**
   * The guest powered off (no VM runs any more): a console line, and DAP's `exited` event with its exit code the first
   * time. The session stays (stopped there): the whole run can still be travelled through.
   */
  private guestExited(code: number, what: string | undefined): void {
    this.sendEvent(new OutputEvent(`Lockstep: ${what ?? 'the guest powered off'}: exit code ${code}; the recording stays open for time travel\n`, 'console'));
    if (this.exitSent) return;
    this.exitSent = true;
    this.sendEvent(new ExitedEvent(code));
  }

  /**
   * Before a time jump a custom request or console verb makes: VS Code treats the stop after it as a new stop only
   * after a `continued` event (it simulates one for its own step and continue requests), and without it keeps the
   * details of an older stop for the other threads ("Paused on exception") and the session. It is sent with the stop and
   * names the thread that stops: sent before the jump it named the focused thread, which the jump may end (a seek to
   * its host's crash), and VS Code's Call Stack then read "Running" while paused.
   */
  private announceTravel(): void {
    this.travelPending = true;
  }

  /**
   * Each problem met reading the program's DWARF, once, in the Debug Console: that part of the program is then
   * debugged by its lines and symbols (no C variables there), and the session goes on.
   */
  private noteDebugInfoProblems(): void {
    for (const p of this.rt?.debugInfoProblems ?? []) {
      if (this.debugInfoNoted.has(p)) continue;
      this.debugInfoNoted.add(p);
      this.sendEvent(new OutputEvent(`Lockstep: ${p}; that code is debugged by its lines and symbols only\n`, 'important'));
    }
  }

  /**
   * `invalidate` (a jump in time made by a custom request or console verb): everything shown is stale. Not for VS
   * Code's own stepBack and reverseContinue, whose stop refreshes threads, stacks and variables anyway: an
   * `invalidated` right before that stop made VS Code handle the previous stop's details again alongside the new one,
   * two refreshes of the same thread in flight, and when the stack took a while (a kernel with user-space frames) the
   * editor could keep focus on the thread object it had just dropped: the Call Stack read "Running" while the thread
   * was paused, and the Hosts view's actions did nothing.
   */
  private reportStop(stop: RuntimeStop, jumped: boolean, invalidate = jumped): void {
    this.vars.reset();
    this.syncThreads();
    this.flushConsole();
    if (stop.exitCode !== undefined) this.guestExited(stop.exitCode, stop.text);
    this.noteDebugInfoProblems();
    this.sendFtState(jumped);
    if (invalidate) this.sendEvent(new InvalidatedEvent(['all']));
    const tid = stop.vm ?? this.focus() ?? 1;
    this.focusVmId = tid;
    if (this.travelPending) this.sendEvent(new ContinuedEvent(tid, true));
    this.travelPending = false;
    const ev = new StoppedEvent(stop.reason, tid, stop.text) as DebugProtocol.StoppedEvent;
    ev.body.allThreadsStopped = true;
    if (stop.description !== undefined) ev.body.description = stop.description;
    if (stop.hitIds !== undefined && stop.hitIds.length > 0) ev.body.hitBreakpointIds = stop.hitIds;
    this.sendEvent(ev);
  }

  /** Starts a forward run after the response went out; reports its stop when it ends. */
  private runForward(response: DebugProtocol.Response, f: () => Promise<RuntimeStop>): void {
    const rt = this.runtime;
    if (rt.isRunning) throw new RequestError('already running');
    this.sendResponse(response);
    this.vars.reset();
    f().then(
      (stop) => this.reportStop(stop, false),
      (e) => {
        this.sendEvent(new OutputEvent(`run stopped: ${(e as Error).message}\n`, 'stderr'));
        this.reportStop({ reason: 'pause', vm: undefined, description: 'Stopped by an error' }, false);
      },
    );
  }

  /**
   * A time jump: when it is done (a long one runs in chunks, shows progress and can be paused), respond,
   * then invalidate everything and report where we are. Its errors are the request's.
   */
  private async travel(response: DebugProtocol.Response, title: string, f: () => RuntimeStop | Promise<RuntimeStop>): Promise<void> {
    const rt = this.runtime;
    if (rt.isRunning) throw new RequestError('the cluster is running: pause it first');
    const stop = await this.withProgress(title, async () => f());
    this.sendResponse(response);
    this.reportStop(stop, true, false);
  }

  /** Shows a long travel's progress once the runtime reports some (cancellable: a cancel pauses it). */
  private async withProgress<T>(title: string, f: () => Promise<T>): Promise<T> {
    const id = `lockstep-travel-${++this.progressSeq}`;
    let started = false;
    const onProgress = (p: Progress): void => {
      if (!this.clientProgress) return;
      const percentage = p.total > 0 ? Math.min(100, Math.floor((100 * p.done) / p.total)) : undefined;
      const ev = (started ? new ProgressUpdateEvent(id, p.what) : new ProgressStartEvent(id, title, p.what)) as DebugProtocol.ProgressStartEvent;
      if (!started) ev.body.cancellable = true;
      ev.body.percentage = percentage;
      this.sendEvent(ev);
      this.activeProgress = id;
      started = true;
    };
    this.runtime.on('progress', onProgress);
    try {
      return await f();
    } finally {
      this.runtime.off('progress', onProgress);
      if (started) this.sendEvent(new ProgressEndEvent(id));
      if (this.activeProgress === id) this.activeProgress = undefined;
    }
  }

  // ---- lifecycle -----------------------------------------------------------------------------------

  protected override initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.clientProgress = args?.supportsProgressReporting === true;
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true, // breakpoints are set before the cluster runs
      supportsStepBack: true, // every step and continue can go backwards: the whole cluster is deterministic
      supportsSteppingGranularity: true, // instruction steps for disassembly, line steps for source
      supportsConditionalBreakpoints: true, // conditions over registers, CSRs and memory (`a0 == 3`)
      supportsHitConditionalBreakpoints: true, // `>= 5`, `% 10`: interrupt handlers hit often
      supportsLogPoints: true, // print `{a0}` without stopping either VM
      supportsFunctionBreakpoints: true, // by symbol name from the ELF or the assembly
      supportsDataBreakpoints: true, // CPU watchpoints on stores, forwards and backwards
      supportsDataBreakpointBytes: true, // data breakpoints by address (`asAddress`)
      supportsInstructionBreakpoints: true, // breakpoints in the disassembly view
      // The secondary replays every instruction the primary ran: a breakpoint stops the primary once per guest
      // execution unless the launch's `breakOn` says otherwise; these modes choose per breakpoint (its context menu).
      breakpointModes: BREAKPOINT_MODES,
      supportsDisassembleRequest: true, // the guest is machine code: show it
      supportsReadMemoryRequest: true, // memory view of the guest RAM
      supportsWriteMemoryRequest: true, // patch guest RAM (the VM may then diverge: that is the point)
      supportsEvaluateForHovers: true, // hover a register or symbol name in the editor
      supportsSetVariable: true, // edit registers and CSRs
      supportsCompletionsRequest: true, // Debug Console: registers, symbols and the `.verbs`
      completionTriggerCharacters: ['.'],
      supportsExceptionInfoRequest: true, // what the divergence/failover/checker was
      supportsExceptionFilterOptions: true, // per-filter options: the held-output filter's condition is its N ms
      exceptionBreakpointFilters: EXCEPTION_FILTERS, // FT events are the "exceptions" of this debugger
      supportsTerminateRequest: true, // end the session without killing a host process (there is none)
      supportsCancelRequest: true, // a long seek into the future reports progress and can be cancelled (it pauses)
      // On, as a jump in time: moving pc would fork the lockstep run, so goto goes to the most recent past
      // (else the next future) moment the VM was about to execute the target address; the run is unchanged.
      supportsGotoTargetsRequest: true,
      supportsRestartRequest: false, // off: VS Code restarts by relaunching, which is exact (deterministic)
      supportsValueFormattingOptions: false, // off: values are always hex with the decimal beside
      supportsSingleThreadExecutionRequests: false, // off: VMs share one simulated clock, they run together
    };
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments): void {
    this.handle(response, () => {
      if (this.launched) throw new RequestError('already launched');
      // `trace: true` echoes the DAP traffic to the Debug Console (LoggingDebugSession's logger).
      logger.setup((args as { trace?: unknown })?.trace === true ? Logger.LogLevel.Verbose : Logger.LogLevel.Stop, false);
      const l = prepareLaunch(args);
      this.rt = new LockstepRuntime({ scenario: l.scenario, program: l.program, programPath: l.programPath, programBytes: l.programBytes, programs: l.programs, programFiles: l.programFiles, symbolFile: l.symbolFile, userSymbolFiles: l.userSymbolFiles, injected: l.injected, breakOn: l.breakOn, showVms: l.showVms });
      this.rt.setExceptionFilters(EXCEPTION_FILTERS.filter((f) => f.default === true).map((f) => f.filter as ExceptionFilter));
      this.rt.on('output', (text: string, category: string) => this.sendEvent(new OutputEvent(text, category)));
      // Custom event `lockstep.clusterEvent`: a fault, failover, respawn, state change… as it happens (body: the trace event).
      this.rt.on('clusterEvent', (ev: ClusterEvent) => {
        if (ev.kind === 'state' && typeof ev.data?.protected === 'boolean') this.ftStateShown = ev.text;
        this.sendEvent(new Event(CLUSTER_EVENT, ev));
      });
      this.rt.on('vmsChanged', () => {
        this.syncThreads();
        this.flushConsole();
        this.sendFtState(false);
      });
      this.stopOnEntry = l.stopOnEntry;
      this.launched = true;
      this.sendResponse(response);
      this.sendEvent(new OutputEvent(`Lockstep: ${basename(l.programPath)}, seed ${l.scenario.seed}, ${l.scenario.untilMs} ms simulated, pair on ${l.scenario.placement.primary} and ${l.scenario.placement.secondary}\n`, 'console'));
      for (const w of l.warnings) this.sendEvent(new OutputEvent(`Lockstep: ${w}\n`, 'important'));
      this.noteDebugInfoProblems();
      this.syncThreads();
      this.sendEvent(new InitializedEvent());
    });
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.handle(response, () => {
      const rt = this.runtime;
      if (this.configured) throw new RequestError('configurationDone was already received');
      this.configured = true;
      if (this.stopOnEntry) {
        this.sendResponse(response);
        this.reportStop({ reason: 'entry', vm: rt.primaryId }, false);
      } else {
        this.runForward(response, () => rt.continue());
      }
    });
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse, args: DebugProtocol.DisconnectArguments, request?: DebugProtocol.Request): void {
    this.rt?.pause();
    super.disconnectRequest(response, args, request);
  }

  protected override cancelRequest(response: DebugProtocol.CancelResponse, args: DebugProtocol.CancelArguments): void {
    if (args?.progressId !== undefined && args.progressId === this.activeProgress) this.rt?.pause();
    this.sendResponse(response);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.rt?.pause();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  // ---- breakpoints ---------------------------------------------------------------------------------

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    this.handle(response, () => {
      const rt = this.runtime;
      const path = args?.source?.path;
      if (typeof path !== 'string') throw new RequestError('setBreakpoints: source.path is needed');
      const wanted: DebugProtocol.SourceBreakpoint[] = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
      this.setCode(response, 'source', wanted, (b) => {
        const r = typeof b.line === 'number' ? rt.resolveSourceLine(path, b.line) : undefined;
        if (r === undefined) return { line: b.line, message: `no code at or after this line in ${rt.shownPrograms.length > 1 ? 'any program of the VMs shown' : 'the program'}`, source: { path } };
        return { addrs: [], at: r.at, logMessage: b.logMessage, bp: { line: r.line, source: { name: basename(path), path }, instructionReference: hex(r.addrs[0]) } };
      }, path);
    });
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.handle(response, () => {
      const rt = this.runtime;
      this.setCode(response, 'function', args?.breakpoints ?? [], (b) => {
        const f = typeof b.name === 'string' ? rt.resolveFunction(b.name.trim()) : undefined; // past the prologue, as GDB stops (C functions with DWARF)
        if (f === undefined) return { message: `no function named ${JSON.stringify(b.name)}` };
        const loc = rt.shownPrograms.find((p) => f.at.has(p.program))!.info.location(f.addr);
        return { addrs: [], at: f.at, bp: { instructionReference: hex(f.addr), line: loc?.line, source: loc ? { name: basename(loc.path), path: loc.path } : undefined } };
      });
    });
  }

  protected override setInstructionBreakpointsRequest(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): void {
    this.handle(response, () => {
      this.setCode(response, 'instruction', args?.breakpoints ?? [], (b) => {
        const base = parseAddress(b.instructionReference);
        if (base === undefined) return { message: `bad instruction reference ${JSON.stringify(b.instructionReference)}` };
        const addr = (base + (b.offset ?? 0)) >>> 0;
        return { addrs: [addr], bp: { instructionReference: hex(addr) } };
      });
    });
  }

  /**
   * The shared shape of source, function and instruction breakpoints: resolve each request to addresses
   * (or to an unverified breakpoint with a reason), hand them to the runtime, answer with one entry each.
   */
  private setCode<B extends { condition?: string; hitCondition?: string; mode?: string }>(
    response: DebugProtocol.Response,
    kind: 'source' | 'function' | 'instruction',
    wanted: B[],
    resolve: (b: B) => { addrs: number[]; at?: ProgramAddrs; logMessage?: string; bp: Partial<DebugProtocol.Breakpoint> } | Partial<DebugProtocol.Breakpoint>,
    file?: string,
  ): void {
    const rt = this.runtime;
    const out: DebugProtocol.Breakpoint[] = [];
    const specs = [];
    for (const b of wanted) {
      const id = rt.newBreakpointId();
      const r = resolve(b);
      if (!('addrs' in r)) {
        out.push({ ...r, id, verified: false });
        continue;
      }
      const mode = BREAKPOINT_MODES.find((m) => m.mode === b.mode)?.mode as BreakMode | undefined;
      if (b.mode !== undefined && mode === undefined) {
        out.push({ id, verified: false, message: `unknown breakpoint mode ${JSON.stringify(b.mode)} (${BREAKPOINT_MODES.map((m) => m.mode).join(', ')})` });
        continue;
      }
      specs.push({ id, addrs: r.addrs, at: r.at, condition: b.condition, hitCondition: b.hitCondition, logMessage: r.logMessage, mode });
      out.push({ ...r.bp, id, verified: true });
    }
    rt.setCodeBreakpoints(kind, specs, file);
    response.body = { breakpoints: out };
    this.sendResponse(response);
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.handle(response, () => {
      const known = new Set(EXCEPTION_FILTERS.map((f) => f.filter));
      const names = [...(args?.filters ?? []), ...(args?.filterOptions ?? []).map((o) => o.filterId)];
      const filters = names.filter((f) => known.has(f)) as ExceptionFilter[];
      this.runtime.setExceptionFilters(filters, heldOutputCondition(args?.filterOptions));
      response.body = { breakpoints: names.map((f) => ({ verified: known.has(f), message: known.has(f) ? undefined : `unknown filter ${f}` })) };
      this.sendResponse(response);
    });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse, _args: DebugProtocol.ExceptionInfoArguments): void {
    this.handle(response, () => {
      const e = this.runtime.lastException;
      if (e === null) throw new RequestError('no exception');
      response.body = { exceptionId: e.filter, description: e.text, breakMode: 'always', details: { message: e.text } };
      this.sendResponse(response);
    });
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    this.handle(response, () => {
      const rt = this.runtime;
      const none = (why: string): void => {
        response.body = { dataId: null, description: why };
        this.sendResponse(response);
      };
      if (typeof args?.name !== 'string') return none('a name or an address is needed');
      let addr: number | undefined;
      let len = args.bytes ?? 4;
      const v = this.focus();
      // A C variable or lvalue by name (a local of the frame the user stopped in, a global): its address and size.
      const c = v === undefined || args.asAddress === true || (args.variablesReference ?? 0) > 0 ? undefined : rt.cObject(v, typeof args.frameId === 'number' ? args.frameId % FRAME_STRIDE : 0, args.name);
      if (c !== undefined) {
        addr = c.addr;
        len = args.bytes ?? Math.max(1, Math.min(c.size, 64));
      } else if (args.asAddress === true) addr = parseAddress(args.name) ?? (v !== undefined ? rt.tryEvaluate(v, args.name) : undefined);
      else if (args.variablesReference !== undefined && args.variablesReference > 0) {
        const ref = this.vars.get(args.variablesReference);
        const row = ref === undefined ? undefined : this.rowNamed(ref, args.name);
        const cf = ref === undefined ? undefined : this.cFrameOf(ref);
        const obj = cf !== undefined && row?.evaluateName !== undefined ? rt.cObject(cf.vm, cf.depth, row.evaluateName) : undefined; // a member, by its C name: its own size
        if (obj !== undefined) len = args.bytes ?? Math.max(1, Math.min(obj.size, 64));
        addr = obj?.addr ?? (row?.memoryReference !== undefined ? parseAddress(row.memoryReference) : undefined);
      } else {
        const sym = rt.infoOfThread(v).symbol(args.name);
        if (sym !== undefined && sym.kind === 'object') {
          addr = sym.addr;
          len = args.bytes ?? Math.max(1, Math.min(sym.size || 4, 64));
        } else if (v !== undefined) addr = rt.tryEvaluate(v, args.name);
      }
      if (addr === undefined || v === undefined || !rt.inRam(v, addr, Math.max(1, len))) return none(`${args.name} does not name guest RAM`);
      response.body = { dataId: `${hex(addr)}:${len}`, description: `${len} bytes at ${hex(addr)}`, accessTypes: ['write'], canPersist: true };
      this.sendResponse(response);
    });
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    this.handle(response, () => {
      const rt = this.runtime;
      const out: DebugProtocol.Breakpoint[] = [];
      const specs = [];
      for (const b of args?.breakpoints ?? []) {
        const id = rt.newBreakpointId();
        const m = typeof b.dataId === 'string' ? /^(0x[0-9a-fA-F]+|\d+):(\d+)$/.exec(b.dataId) : null;
        if (m === null || Number(m[2]) <= 0) {
          out.push({ id, verified: false, message: `bad dataId ${JSON.stringify(b.dataId)} (expected ADDRESS:LENGTH)` });
          continue;
        }
        if (b.accessType !== undefined && b.accessType !== 'write') {
          out.push({ id, verified: false, message: 'only write access is watched (the CPU watches stores)' });
          continue;
        }
        specs.push({ id, addr: Number(m[1]) >>> 0, len: Number(m[2]), condition: b.condition, hitCondition: b.hitCondition });
        out.push({ id, verified: true });
      }
      rt.setDataBreakpoints(specs);
      response.body = { breakpoints: out };
      this.sendResponse(response);
    });
  }

  // ---- threads, stack, variables -------------------------------------------------------------------

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    this.handle(response, () => {
      const rt = this.rt;
      response.body = { threads: rt === undefined ? [] : rt.threads().map((t) => new Thread(t.id, t.name)) };
      this.sendResponse(response);
    });
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    this.handle(response, () => {
      const rt = this.runtime;
      const v = this.vmOf(args?.threadId);
      const frames = rt.frames(v);
      const start = args.startFrame ?? 0;
      const levels = args.levels !== undefined && args.levels > 0 ? args.levels : frames.length;
      const out = frames.slice(start, start + levels).map((f, i) => {
        const loc = f.location;
        const sf = new StackFrame(v * FRAME_STRIDE + start + i, f.trapped ? `${f.name} [interrupted]` : f.inlined ? `${f.name} [inlined]` : f.name,
          loc ? new Source(basename(loc.path), loc.path) : undefined, loc?.line ?? 0, loc?.column ?? 0) as DebugProtocol.StackFrame;
        sf.instructionPointerReference = hex(f.pc);
        if (loc === undefined) sf.presentationHint = 'subtle';
        return sf;
      });
      response.body = { stackFrames: out, totalFrames: frames.length };
      this.sendResponse(response);
    });
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    this.handle(response, () => {
      const v = this.vmOfFrame(args?.frameId);
      if (v === undefined) throw new RequestError(`no frame ${args?.frameId}`);
      const depth = typeof args.frameId === 'number' ? args.frameId % FRAME_STRIDE : 0;
      const fr = depth > 0 ? this.runtime.frames(v)[depth] : undefined;
      const regs = new Scope(depth > 0 ? 'Registers (pc, sp of this frame)' : 'Registers', this.vars.create({ kind: 'regs', vm: v, frame: fr && { pc: fr.pc, sp: fr.sp } })) as DebugProtocol.Scope;
      regs.presentationHint = 'registers';
      // C frames first: what a C programmer looks for (from DWARF), then the machine's own tables.
      const c = this.runtime.hasCScopes(v, depth)
        ? [new Scope('Arguments', this.vars.create({ kind: 'args', vm: v, depth })), new Scope('Locals', this.vars.create({ kind: 'locals', vm: v, depth }))]
        : [];
      response.body = {
        scopes: [
          ...c,
          regs,
          new Scope('CSRs', this.vars.create({ kind: 'csrs', vm: v })),
          new Scope('FT state', this.vars.create({ kind: 'ft', vm: v })),
          new Scope('Devices', this.vars.create({ kind: 'devices', vm: v }), true),
          new Scope('Globals', this.vars.create({ kind: 'globals', vm: v })),
          // Expensive: it travels to the peer's same instruction count and back.
          new Scope('Difference vs peer', this.vars.create({ kind: 'peerDiff', vm: v }), true),
        ],
      };
      this.sendResponse(response);
    });
  }

  /** The rows of a reference; of a page of a large array, `start` .. `start + count - 1` (all without them). */
  private rowsOf(ref: VarRef, start?: number, count?: number): Row[] {
    if (ref.kind === 'rows') return ref.rows;
    if (ref.kind === 'page') return ref.page.rows(start ?? 0, count ?? ref.page.count);
    if (ref.kind === 'args' || ref.kind === 'locals') return this.runtime.cRows(ref.vm, ref.depth, ref.kind);
    return this.runtime.rows(ref.vm, ref.kind, ref.kind === 'regs' ? ref.frame : undefined);
  }

  /** One row of a reference by name (of a large array's page: `[i]` read alone). */
  private rowNamed(ref: VarRef, name: string): Row | undefined {
    const index = ref.kind === 'page' ? /^\[(\d+)\]$/.exec(name) : null;
    return (index === null ? this.rowsOf(ref) : this.rowsOf(ref, Number(index[1]), 1)).find((r) => r.name === name);
  }

  /** The C frame rows under `ref` are named in, for setVariable on a member, element or global. */
  private cFrameOf(ref: VarRef): CFrameRef | undefined {
    if (ref.kind === 'args' || ref.kind === 'locals') return { vm: ref.vm, depth: ref.depth, globals: false };
    if (ref.kind === 'globals') return { vm: ref.vm, depth: 0, globals: true };
    return ref.kind === 'rows' || ref.kind === 'page' ? ref.c : undefined;
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    this.handle(response, () => {
      const ref = typeof args?.variablesReference === 'number' ? this.vars.get(args.variablesReference) : undefined;
      if (ref === undefined) throw new RequestError(`no variables with reference ${args?.variablesReference}`);
      const c = this.cFrameOf(ref);
      const start = typeof args.start === 'number' && args.start >= 0 ? args.start : undefined;
      const count = typeof args.count === 'number' && args.count > 0 ? args.count : undefined;
      response.body = {
        variables: (args.filter === 'named' && ref.kind === 'page' ? [] : this.rowsOf(ref, start, count)).map((r) => ({
          name: r.name,
          value: r.value,
          variablesReference: r.indexed !== undefined ? this.vars.create({ kind: 'page', page: r.indexed, c })
            : r.children !== undefined ? this.vars.create({ kind: 'rows', rows: r.children, c }) : 0,
          indexedVariables: r.indexed?.count,
          evaluateName: r.evaluateName,
          memoryReference: r.memoryReference,
          presentationHint: r.editable ? undefined : { attributes: ['readOnly'] },
        })),
      };
      this.sendResponse(response);
    });
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    this.handle(response, () => {
      const rt = this.runtime;
      if (rt.isRunning) throw new RequestError('the cluster is running: pause it first');
      const ref = this.vars.get(args?.variablesReference);
      if (ref !== undefined && (ref.kind === 'args' || ref.kind === 'locals')) {
        response.body = { value: rt.setCVariable(ref.vm, ref.depth, ref.kind, args.name, String(args.value)) };
        this.sendResponse(response);
        return;
      }
      const c = ref === undefined ? undefined : this.cFrameOf(ref);
      if (ref !== undefined && c !== undefined && ref.kind !== 'regs') {
        const row = this.rowNamed(ref, args.name);
        if (row?.evaluateName === undefined || row.editable !== true) throw new RequestError(`${args.name} cannot be set`);
        response.body = { value: rt.setCLvalue(c.vm, c.depth, row.evaluateName, String(args.value), c.globals) };
        this.sendResponse(response);
        this.sendEvent(new InvalidatedEvent(['variables'])); // its struct's or array's own text changed too
        return;
      }
      if (ref === undefined || ref.kind === 'rows' || ref.kind === 'page' || (ref.kind !== 'regs' && ref.kind !== 'csrs')) throw new RequestError('only registers, CSRs and C variables can be set');
      if (ref.kind === 'regs' && ref.frame !== undefined) throw new RequestError('registers can be set in the top frame only');
      if (!rt.hasVm(ref.vm)) throw new RequestError('that VM is gone');
      const value = rt.setRegister(ref.vm, ref.kind, args.name, String(args.value));
      const row = this.rowsOf(ref).find((r) => r.name === args.name);
      response.body = { value: row?.value ?? formatValue(value), memoryReference: row?.memoryReference };
      this.sendResponse(response);
    });
  }

  // ---- execution -----------------------------------------------------------------------------------

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.handle(response, () => {
      const rt = this.runtime;
      response.body = { allThreadsContinued: true };
      this.runForward(response, () => rt.continue());
    });
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.handle(response, () => {
      const rt = this.runtime;
      if (!rt.isRunning) {
        this.sendResponse(response);
        this.reportStop({ reason: 'pause', vm: this.focus() }, false);
        return;
      }
      rt.pause();
      this.sendResponse(response);
    });
  }

  /** Runs `f` for the VM of `threadId` (error response when there is none). */
  private onThread(response: DebugProtocol.Response, threadId: number | undefined, f: (vm: number, rt: LockstepRuntime) => void | Promise<void>): void {
    this.handle(response, () => f(this.vmOf(threadId), this.runtime));
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.onThread(response, args?.threadId, (v, rt) => this.runForward(response, () => (args.granularity === 'instruction' ? rt.stepOverOrInto(v, true) : rt.stepLine(v, true))));
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.onThread(response, args?.threadId, (v, rt) => this.runForward(response, () => (args.granularity === 'instruction' ? rt.stepInstruction(v) : rt.stepLine(v, false))));
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.onThread(response, args?.threadId, (v, rt) => this.runForward(response, () => rt.stepOut(v)));
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse, args: DebugProtocol.StepBackArguments): void {
    this.onThread(response, args?.threadId, (v, rt) => this.travel(response, 'Stepping back', () => (args.granularity === 'instruction' ? rt.stepBack(v) : rt.stepBackLine(v, 'over'))));
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse, args: DebugProtocol.ReverseContinueArguments): void {
    this.onThread(response, args?.threadId, (v, rt) => this.travel(response, 'Reverse continue', () => rt.reverseContinue(v)));
  }

  protected override gotoTargetsRequest(response: DebugProtocol.GotoTargetsResponse, args: DebugProtocol.GotoTargetsArguments): void {
    this.handle(response, () => {
      const rt = this.runtime;
      const path = args?.source?.path;
      if (typeof path !== 'string' || typeof args.line !== 'number') throw new RequestError('gotoTargets: source.path and line are needed');
      const info = rt.infoOfThread(this.focus());
      const exact = info.lineStarts(path, args.line);
      const r = exact.length > 0 ? { line: args.line, addrs: exact } : info.resolveLine(path, args.line);
      const targets = (r?.addrs ?? []).map((addr) => {
        const id = this.nextGotoId++;
        this.gotoAddrs.set(id, addr >>> 0);
        return { id, label: `${basename(path)}:${r!.line} @ ${hex(addr)}`, line: r!.line, instructionPointerReference: hex(addr) };
      });
      response.body = { targets };
      this.sendResponse(response);
    });
  }

  /** Goto: a jump in time to that address (past first, else future); `goto` stop, everything invalidated. */
  protected override gotoRequest(response: DebugProtocol.GotoResponse, args: DebugProtocol.GotoArguments): void {
    this.handle(response, async () => {
      const v = this.vmOf(args?.threadId);
      const rt = this.runtime;
      const addr = this.gotoAddrs.get(args.targetId);
      if (addr === undefined) throw new RequestError(`no goto target ${args.targetId}`);
      if (rt.isRunning) throw new RequestError('the cluster is running: pause it first');
      const stop = await this.withProgress('Going to the target', () => rt.goto(v, addr));
      if (stop === null) throw new RequestError(`${rt.vmName(v)} does not execute ${hex(addr)} before or after this point (up to the end of the scenario)`);
      this.sendResponse(response);
      this.reportStop(stop, true);
    });
  }

  // ---- memory and code -----------------------------------------------------------------------------

  protected override disassembleRequest(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): void {
    this.handle(response, () => {
      const rt = this.runtime;
      const base = parseAddress(args?.memoryReference);
      if (base === undefined) throw new RequestError(`bad memoryReference ${JSON.stringify(args?.memoryReference)}`);
      const count = args.instructionCount;
      if (!Number.isInteger(count) || count < 0 || count > 100_000) throw new RequestError('instructionCount: 0..100000');
      const vm = this.focus();
      if (vm === undefined) throw new RequestError('no VM to read code from');
      const out: DebugProtocol.DisassembledInstruction[] = [];
      let lastLoc = '';
      for (const l of rt.disassemble(vm, base + (args.offset ?? 0), args.instructionOffset ?? 0, count)) {
        const ins: DebugProtocol.DisassembledInstruction = { address: hex(l.address), instruction: l.text };
        if (l.bytes !== undefined) ins.instructionBytes = l.bytes;
        if (l.symbol !== undefined) ins.symbol = l.symbol;
        if (l.invalid) ins.presentationHint = 'invalid';
        const loc = l.location;
        const key = loc ? `${loc.path}:${loc.line}` : '';
        if (loc !== undefined && key !== lastLoc) {
          ins.location = new Source(basename(loc.path), loc.path);
          ins.line = loc.line;
        }
        lastLoc = key;
        out.push(ins);
      }
      response.body = { instructions: out };
      this.sendResponse(response);
    });
  }

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): void {
    this.handle(response, () => {
      const base = parseAddress(args?.memoryReference);
      if (base === undefined) throw new RequestError(`bad memoryReference ${JSON.stringify(args?.memoryReference)}`);
      if (!Number.isInteger(args.count) || args.count < 0 || args.count > 16 * 1024 * 1024) throw new RequestError('count: 0..16 MiB');
      const vm = this.focus();
      if (vm === undefined) throw new RequestError('no VM to read from');
      const start = (base + (args.offset ?? 0)) >>> 0;
      const r = this.runtime.readMemory(vm, start, args.count);
      response.body = { address: hex(start), data: Buffer.from(r.bytes).toString('base64'), unreadableBytes: r.unreadable };
      this.sendResponse(response);
    });
  }

  protected override writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): void {
    this.handle(response, () => {
      const rt = this.runtime;
      if (rt.isRunning) throw new RequestError('the cluster is running: pause it first');
      const base = parseAddress(args?.memoryReference);
      if (base === undefined) throw new RequestError(`bad memoryReference ${JSON.stringify(args?.memoryReference)}`);
      if (typeof args.data !== 'string') throw new RequestError('data: base64 text is needed');
      const vm = this.focus();
      if (vm === undefined) throw new RequestError('no VM to write to');
      const start = (base + (args.offset ?? 0)) >>> 0;
      const written = rt.writeMemory(vm, start, new Uint8Array(Buffer.from(args.data, 'base64')), args.allowPartial === true);
      response.body = { bytesWritten: written };
      this.sendResponse(response);
      this.sendEvent(new MemoryEvent(hex(start), 0, written));
    });
  }

  // ---- evaluate, completions -----------------------------------------------------------------------

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    this.handle(response, () => {
      const rt = this.runtime;
      const expr = typeof args?.expression === 'string' ? args.expression.trim() : '';
      if (expr === '') throw new RequestError('empty expression');
      if (args.context === 'repl' && expr.startsWith('.')) return this.consoleCommand(response, expr);
      const v = this.vmOfFrame(args.frameId);
      if (v === undefined) throw new RequestError('no VM to evaluate in');
      const c = rt.evaluateC(v, typeof args.frameId === 'number' ? args.frameId % FRAME_STRIDE : 0, expr);
      if (c !== undefined) {
        response.body = { result: c.text, variablesReference: 0, memoryReference: c.address === undefined ? undefined : hex(c.address) };
        this.sendResponse(response);
        return;
      }
      const r = rt.evaluate(v, expr);
      const pointer = rt.inRam(v, r.value >>> 0, 1); // an address: its decimal unsigned
      response.body = { result: formatValue(r.value, pointer), variablesReference: 0, memoryReference: r.address !== undefined ? hex(r.address) : undefined };
      this.sendResponse(response);
    });
  }

  protected override completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): void {
    this.handle(response, () => {
      const rt = this.runtime;
      const text = String(args?.text ?? '');
      const col = Math.max(0, Math.min(text.length, (args.column ?? text.length + 1) - 1));
      const word = /[.\w$]*$/.exec(text.slice(0, col))![0];
      const pool = [...CONSOLE_VERBS, 'pc', ...registerNames(), ...rt.infoOfThread(this.focus()).symbols.map((s) => s.name)];
      const targets = [...new Set(pool.filter((p) => p.startsWith(word) && p !== word))].slice(0, 200)
        .map((label) => ({ label, start: col - word.length, length: word.length, type: (label.startsWith('.') ? 'keyword' : 'variable') as DebugProtocol.CompletionItemType }));
      response.body = { targets };
      this.sendResponse(response);
    });
  }

  private consoleCommand(response: DebugProtocol.EvaluateResponse, line: string): void | Promise<void> {
    const cmd = parseConsoleCommand(line);
    if (cmd.verb === 'help') {
      response.body = { result: CONSOLE_HELP, variablesReference: 0 };
      this.sendResponse(response);
      return;
    }
    return this.custom(cmd.verb, cmd.args as Record<string, unknown>, (body) => {
      response.body = { result: formatConsoleReply(cmd, body), variablesReference: 0 };
      this.sendResponse(response);
    });
  }

  // ---- custom requests -----------------------------------------------------------------------------

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    this.handle(response, () => {
      return this.custom(command, (args ?? {}) as Record<string, unknown>, (body) => {
        response.body = body;
        this.sendResponse(response);
      });
    });
  }

  /** The custom verbs, shared by custom requests and Debug Console commands. Calls `reply` before any events. */
  private custom(command: string, args: Record<string, unknown>, reply: (body: unknown) => void): void | Promise<void> {
    const rt = this.runtime;
    if (typeof args !== 'object' || args === null) throw new RequestError(`${command}: arguments must be an object`);
    switch (command) {
      case 'injectFault': {
        const fault = (args.fault ?? args) as Record<string, unknown>;
        const r = rt.inject(fault);
        reply({ atNs: r.atNs, fault: r.fault } satisfies ReplyBody<'injectFault'>);
        this.sendEvent(new OutputEvent(`injected ${r.text}: ${PENDING_FAULT}\n`, 'console'));
        return;
      }
      case 'ftAction': {
        const r = rt.ftAction(args.action, args.vm);
        reply({ atNs: r.atNs, fault: r.fault } satisfies ReplyBody<'ftAction'>);
        this.sendEvent(new OutputEvent(`${r.fault.kind}${r.fault.vm === undefined ? '' : ` on ${r.fault.vm}`}: ${PENDING_FAULT}\n`, 'console'));
        return;
      }
      case 'findDivergence': {
        if (rt.isRunning) throw new RequestError('the cluster is running: pause it first');
        // vm: the VM (of a cluster, by name) whose pair to search, shown as threads or not; default the first shown VM.
        const m = rt.pairVm('findDivergence', { vm: args.vm });
        return this.withProgress('Searching for the first difference', () => rt.findDivergence(m)).then((d) => {
          if (d.same) {
            reply({ same: true } satisfies ReplyBody<'findDivergence'>);
            return;
          }
          reply({ instret: d.instret, same: false, differences: compareVms(rt, 0, m) } satisfies ReplyBody<'findDivergence'>);
          this.announceTravel();
          // The stop is on the secondary, or on the focused thread when the VM is not shown as threads.
          const shown = rt.threadVms.some((v) => v.id === d.secondary);
          const of = m.label === null ? '' : ` of ${m.label}`;
          this.reportStop({ reason: 'goto', vm: shown ? d.secondary : undefined, description: `First difference${of} at instruction ${d.instret}` }, true);
        });
      }
      case 'compareVMs': {
        if (rt.isRunning) throw new RequestError('the cluster is running: pause it first');
        if (args.ifNoPair !== undefined && !(IF_NO_PAIR as readonly unknown[]).includes(args.ifNoPair)) throw new RequestError(`compareVMs: ifNoPair must be one of ${IF_NO_PAIR.join(', ')}, not ${JSON.stringify(args.ifNoPair)}`);
        // The VM (of a cluster) whose pair to compare: vm by name (shown as threads or not), or a shown VM's threadId; default the first shown VM.
        const m = rt.pairVm('compareVMs', { thread: args.threadId === undefined ? undefined : this.vmOf(args.threadId), vm: args.vm });
        // No pair now (a failover, FT off): with ifNoPair 'reply', a body saying why, which a Compare tab shows quietly.
        if (args.ifNoPair === 'reply' && !hasPair(rt, m)) {
          reply({ noPair: noPairReason(rt, m) } satisfies ReplyBody<'compareVMs'>);
          return;
        }
        // dumpPages: how many differing RAM pages primaryText/secondaryText dump as hex lines (the diff editor asks for some).
        reply(compareVms(rt, (args.dumpPages ?? 0) as number, m) satisfies ReplyBody<'compareVMs'>);
        return;
      }
      case 'seek': {
        let stop: RuntimeStop;
        if (typeof args.timeMs === 'number' && args.timeMs * NS_PER_MS > rt.frontierNs + 2 * NS_PER_MS && !rt.isRunning) {
          // Into the unexplored future: run there in chunks, so the adapter stays responsive and pause works.
          const target = Math.min(args.timeMs * NS_PER_MS, rt.endNs);
          reply({ nowNs: target } satisfies ReplyBody<'seek'>);
          this.announceTravel();
          const progressId = `lockstep-seek-${++this.progressSeq}`;
          if (this.clientProgress) {
            const ev = new ProgressStartEvent(progressId, `Running to ${fmtMs(target)}`) as DebugProtocol.ProgressStartEvent;
            ev.body.cancellable = true;
            this.sendEvent(ev);
            this.activeProgress = progressId;
          }
          const end = (): void => {
            if (this.activeProgress === progressId) this.sendEvent(new ProgressEndEvent(progressId));
            this.activeProgress = undefined;
          };
          rt.runUntil(target).then(
            (s) => {
              end();
              this.reportStop({ ...s, vm: s.vm ?? this.focus(), reason: s.reason === 'pause' ? 'pause' : 'goto' }, true);
            },
            (e) => {
              end();
              this.sendEvent(new OutputEvent(`seek: ${(e as Error).message}\n`, 'stderr'));
            },
          );
          return;
        }
        if (typeof args.timeMs === 'number') stop = rt.seekTime(args.timeMs * NS_PER_MS);
        else if (typeof args.vm === 'number' && typeof args.instret === 'number') stop = rt.seekInstret(args.vm, args.instret);
        else if (typeof args.event === 'string') stop = rt.seekEvent(args.event, typeof args.n === 'number' ? args.n : 0);
        else throw new RequestError('seek: give {timeMs}, {vm, instret} or {event, n}');
        reply({ nowNs: rt.nowNs } satisfies ReplyBody<'seek'>);
        this.announceTravel();
        this.reportStop({ ...stop, reason: 'goto' }, true);
        return;
      }
      case 'reverseStep': {
        const kind = args.kind ?? 'over';
        if (!(REVERSE_STEP_KINDS as readonly unknown[]).includes(kind)) throw new RequestError(`reverseStep: kind must be one of ${REVERSE_STEP_KINDS.join(', ')}, not ${JSON.stringify(kind)}`);
        const vm = args.threadId === undefined ? this.focus() : this.vmOf(args.threadId);
        if (vm === undefined) throw new RequestError('reverseStep: no VM to step back');
        if (rt.isRunning) throw new RequestError('the cluster is running: pause it first');
        return this.withProgress('Stepping back', async () => (kind === 'instruction' ? rt.stepBack(vm) : rt.stepBackLine(vm, kind as ReverseLineKind))).then((stop) => {
          reply({ nowNs: rt.nowNs } satisfies ReplyBody<'reverseStep'>);
          this.announceTravel();
          this.reportStop(stop, true);
        });
      }
      case 'checkpoint': {
        const op = String(args.op ?? 'list');
        const list = rt.checkpoint(op, typeof args.name === 'string' ? args.name : undefined);
        reply({ checkpoints: list } satisfies ReplyBody<'checkpoint'>);
        if (op === 'jump') this.announceTravel();
        if (op === 'jump') this.reportStop({ reason: 'goto', vm: this.focus() }, true);
        return;
      }
      case 'timeline':
        reply(timeline(rt) satisfies ReplyBody<'timeline'>);
        return;
      case 'hosts':
        reply(hostsView(rt) satisfies ReplyBody<'hosts'>);
        return;
      default:
        throw new RequestError(`unrecognized request ${JSON.stringify(command)}`);
    }
  }
}

/** N of the held-output filter from its filter option's condition (default when absent). */
function heldOutputCondition(options: DebugProtocol.ExceptionFilterOptions[] | undefined): number {
  const c = options?.find((o) => o.filterId === 'heldOutput')?.condition?.trim();
  if (c === undefined || c === '') return HELD_OUTPUT_DEFAULT_MS;
  const n = Number(c.replace(/\s*ms$/, ''));
  if (!(n > 0) || !Number.isFinite(n)) throw new RequestError(`heldOutput: the condition must be a positive number of ms, not ${JSON.stringify(c)}`);
  return n;
}

/** How many characters `a` and `b` share at their start. */
function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

function registerNames(): string[] {
  return [...ABI_NAMES, 'mstatus', 'mepc', 'mcause', 'mtval', 'mtvec'];
}

/** `0x80000000`, `80000000` (hex) or a decimal with a `#` prefix are not guessed: hex, optionally 0x-prefixed. */
function parseAddress(ref: unknown): number | undefined {
  if (typeof ref !== 'string') return undefined;
  const m = /^\s*(?:0x)?([0-9a-fA-F]{1,8})\s*$/.exec(ref);
  return m === null ? undefined : parseInt(m[1], 16) >>> 0;
}

// Launch arguments → a validated scenario and a loaded program (or a recording); every problem becomes one clear message.

import { readFileSync } from 'node:fs';
import { resolve, isAbsolute, dirname, basename } from 'node:path';
import { lateFaultNote, parseScenario } from '../ft/scenario';
import { withGuestWorkload } from '../ft/guest-workload';
import type { Scenario, FaultSpec } from '../ft/scenario';
import { loadProgramBytes } from '../asm/load-program';
import type { SymbolFile } from '../machine/elf';
import type { Program } from '../machine/program';
import { decodeRecording } from '../replay/recording';
import { programFilesOf, programsOf } from '../replay/replay-run';
import { modelMismatch } from '../ft/model';
import { BREAK_MODES, type BreakMode } from './breakpoints';
import { LaunchError, readSymbolFile, readUserSymbolFiles } from './launch-symbols';
import type { UserSymbolFile } from './user-spaces';

export { LaunchError } from './launch-symbols';

/** Keys of a launch configuration that belong to the adapter, not to the scenario. */
const ADAPTER_KEYS = new Set(['type', 'request', 'name', 'stopOnEntry', 'breakOn', 'showVms', 'symbolFile', 'userSymbolFiles', 'replay', 'cwd', 'trace', 'noDebug', 'preLaunchTask', 'postDebugTask', 'internalConsoleOptions', 'debugServer', 'presentation', 'serverReadyAction']);

export interface Launch {
  scenario: Scenario;
  program: Program;
  programPath: string;
  /** The program file's bytes (an ELF's debug information is read from them when first needed). */
  programBytes: Uint8Array;
  /** A cluster of several VMs: every VM's program, by the path its scenario gives. */
  programs?: Map<string, Program>;
  /** A cluster of several VMs: every VM's program file, by the same paths (for each program's debug information). */
  programFiles?: Map<string, Uint8Array>;
  stopOnEntry: boolean;
  /** Which VM breakpoints stop: the primary (default), the secondary replaying it, or both. */
  breakOn: BreakMode;
  /** A cluster of several VMs: the VMs whose instances are threads, the focused one first (undefined: a single VM). */
  showVms?: string[];
  /** The ELF whose symbols, lines and DWARF describe the program's code (`symbolFile`: a kernel's vmlinux). */
  symbolFile?: { path: string; bytes: Uint8Array; read: SymbolFile };
  /** A Linux guest's user-space programs' ELFs, by process name (`userSymbolFiles`): their code's symbols, lines and DWARF. */
  userSymbolFiles?: UserSymbolFile[];
  injected: { atNs: number; fault: FaultSpec }[];
  /** What the user should know before the run (a recording made under another simulation model). */
  warnings: string[];
}

export function prepareLaunch(raw: unknown): Launch {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new LaunchError('launch arguments must be an object');
  const args = raw as Record<string, unknown>;
  if (args.cwd !== undefined && typeof args.cwd !== 'string') throw new LaunchError('cwd: must be a string (a folder)');
  if (args.stopOnEntry !== undefined && typeof args.stopOnEntry !== 'boolean') throw new LaunchError('stopOnEntry: must be true or false');
  if (args.replay !== undefined && typeof args.replay !== 'string') throw new LaunchError('replay: must be the path of a .lsrec recording');
  const cwd = typeof args.cwd === 'string' ? args.cwd : process.cwd();
  const stopOnEntry = args.stopOnEntry !== false;
  const breakOn = breakOnOf(args.breakOn);
  if (typeof args.replay === 'string') {
    const path = isAbsolute(args.replay) ? args.replay : resolve(cwd, args.replay);
    const extra = Object.keys(args).filter((k) => !ADAPTER_KEYS.has(k) && !k.startsWith('__'));
    if (extra.length > 0) throw new LaunchError(`${extra[0]}: not allowed with replay (the recording holds the whole scenario)`);
    if (args.showVms !== undefined) throw new LaunchError('showVms: not allowed with replay (the recording\'s first VM is debugged)');
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new LaunchError(`replay: cannot read ${path}: ${(e as Error).message}`);
    }
    const rec = decodeRecording(bytes);
    const programPath = resolve(dirname(path), rec.program.name);
    const program = loadProgramBytes(programPath, rec.program.bytes);
    const why = modelMismatch(rec.expect.model);
    return {
      scenario: rec.scenario, program, programPath, programBytes: rec.program.bytes, programs: programsOf(rec), programFiles: programFilesOf(rec), stopOnEntry, breakOn, injected: rec.injected,
      warnings: why === null ? [] : [`${basename(path)}: ${why}`],
    };
  }
  const scenarioRaw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) if (!ADAPTER_KEYS.has(k) && !k.startsWith('__')) scenarioRaw[k] = v;
  if (typeof scenarioRaw.program === 'string' && !isAbsolute(scenarioRaw.program)) scenarioRaw.program = resolve(cwd, scenarioRaw.program);
  if (Array.isArray(scenarioRaw.vms)) scenarioRaw.vms = scenarioRaw.vms.map((v: unknown) => vmWithPath(v, cwd));
  const scenario = parseScenario(scenarioRaw);
  const showVms = shownVms(args.showVms, scenario);
  const files = vmPrograms(scenario);
  // The focused program (the first shown VM's); the other shown VMs' programs are read from `files`.
  const programPath = showVms === undefined ? scenario.program : scenario.vms!.find((v) => v.name === showVms[0])!.program;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(programPath);
  } catch (e) {
    throw new LaunchError(`program: cannot read ${programPath}: ${(e as Error).message}`);
  }
  const program = loadProgramBytes(programPath, bytes);
  const late = lateFaultNote(scenario);
  const warnings = late === null ? [] : [`${late}: raise untilMs, or inject it while debugging`];
  if (showVms !== undefined) warnings.push(`a cluster of ${scenario.vms!.length} VMs: the threads are ${showVms.map((n) => `${n}'s`).join(', ')} (showVms); every VM shows in the Hosts view and the timeline`);
  const symbolFile = readSymbolFile(args.symbolFile, cwd);
  const userSymbolFiles = readUserSymbolFiles(args.userSymbolFiles, cwd, symbolFile !== undefined);
  return { scenario: withGuestWorkload(scenario, program), program, programPath, programBytes: bytes, programs: files?.programs, programFiles: files?.bytes, stopOnEntry, breakOn, showVms, symbolFile, userSymbolFiles, injected: [], warnings };
}

/**
 * The `showVms` launch argument: the VMs of a cluster whose instances are threads, the first named first (the one the
 * debugger focuses). They may run different programs: each thread is debugged with its own program's symbols, and a
 * breakpoint stops every shown VM whose program has code there. Default: the fault-tolerant VMs in the scenario's
 * order (the first VM when none is). Undefined for a single VM (where it is an error).
 */
function shownVms(v: unknown, s: Scenario): string[] | undefined {
  if (s.vms === null) {
    if (v !== undefined) throw new LaunchError('showVms: only for a cluster of several VMs (a scenario with `vms`); this scenario has one VM, whose primary and secondary are the threads');
    return undefined;
  }
  const vms = s.vms;
  if (v === undefined) {
    const ft = vms.filter((x) => x.ft);
    return (ft.length > 0 ? ft : [vms[0]]).map((x) => x.name);
  }
  if (!Array.isArray(v) || v.length === 0 || v.some((n) => typeof n !== 'string')) throw new LaunchError(`showVms: must be a non-empty list of VM names (the cluster's VMs: ${vms.map((x) => x.name).join(', ')})`);
  const named = v.map((n: string) => {
    const vm = vms.find((x) => x.name === n);
    if (vm === undefined) throw new LaunchError(`showVms: no VM named ${JSON.stringify(n)} (the cluster's VMs: ${vms.map((x) => x.name).join(', ')})`);
    return vm;
  });
  for (const vm of named) if (named.filter((x) => x === vm).length > 1) throw new LaunchError(`showVms: ${vm.name} is named twice`);
  return named.map((x) => x.name);
}

/** A VM of `vms` with its program's path resolved against the launch's folder (anything else is left for the scenario's checks). */
function vmWithPath(v: unknown, cwd: string): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const p = (v as { program?: unknown }).program;
  return typeof p === 'string' && !isAbsolute(p) ? { ...v, program: resolve(cwd, p) } : v;
}

/** The programs of a cluster's VMs and their files by path, each read once (undefined: a single VM). */
function vmPrograms(s: Scenario): { programs: Map<string, Program>; bytes: Map<string, Uint8Array> } | undefined {
  if (s.vms === null) return undefined;
  const programs = new Map<string, Program>();
  const bytes = new Map<string, Uint8Array>();
  for (const [i, v] of s.vms.entries()) {
    if (programs.has(v.program)) continue;
    try {
      const b = readFileSync(v.program);
      programs.set(v.program, loadProgramBytes(v.program, b));
      bytes.set(v.program, b);
    } catch (e) {
      throw new LaunchError(`vms[${i}].program: cannot load ${v.program}: ${(e as Error).message}`);
    }
  }
  return { programs, bytes };
}

/** The `breakOn` launch argument (default `primary`), or a clear error naming the valid values. */
function breakOnOf(v: unknown): BreakMode {
  if (v === undefined) return 'primary';
  if (typeof v === 'string' && (BREAK_MODES as readonly string[]).includes(v)) return v as BreakMode;
  throw new LaunchError(`breakOn: must be ${BREAK_MODES.map((m) => JSON.stringify(m)).join(', ')}, not ${JSON.stringify(v)} (which VM stops at a breakpoint: the primary, the secondary replaying it, or both)`);
}

// Launch arguments → a validated scenario and a loaded program (or a recording); every problem becomes one clear message.

import { readFileSync } from 'node:fs';
import { resolve, isAbsolute, dirname, basename } from 'node:path';
import { lateFaultNote, parseScenario } from '../ft/scenario';
import { withGuestWorkload } from '../ft/guest-workload';
import type { Scenario, FaultSpec } from '../ft/scenario';
import { loadProgramBytes } from '../asm/load-program';
import type { Program } from '../machine/program';
import { decodeRecording } from '../replay/recording';
import { modelMismatch } from '../ft/model';
import { BREAK_MODES, type BreakMode } from './breakpoints';

/** Keys of a launch configuration that belong to the adapter, not to the scenario. */
const ADAPTER_KEYS = new Set(['type', 'request', 'name', 'stopOnEntry', 'breakOn', 'replay', 'cwd', 'trace', 'noDebug', 'preLaunchTask', 'postDebugTask', 'internalConsoleOptions', 'debugServer', 'presentation', 'serverReadyAction']);

export interface Launch {
  scenario: Scenario;
  program: Program;
  programPath: string;
  /** The program file's bytes (an ELF's debug information is read from them when first needed). */
  programBytes: Uint8Array;
  /** A cluster of several VMs: every VM's program, by the path its scenario gives. */
  programs?: Map<string, Program>;
  stopOnEntry: boolean;
  /** Which VM breakpoints stop: the primary (default), the secondary replaying it, or both. */
  breakOn: BreakMode;
  injected: { atNs: number; fault: FaultSpec }[];
  /** What the user should know before the run (a recording made under another simulation model). */
  warnings: string[];
}

export class LaunchError extends Error {}

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
    return { scenario: rec.scenario, program, programPath, programBytes: rec.program.bytes, stopOnEntry, breakOn, injected: rec.injected, warnings: why === null ? [] : [`${basename(path)}: ${why}`] };
  }
  const scenarioRaw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) if (!ADAPTER_KEYS.has(k) && !k.startsWith('__')) scenarioRaw[k] = v;
  if (typeof scenarioRaw.program === 'string' && !isAbsolute(scenarioRaw.program)) scenarioRaw.program = resolve(cwd, scenarioRaw.program);
  if (Array.isArray(scenarioRaw.vms)) scenarioRaw.vms = scenarioRaw.vms.map((v: unknown) => vmWithPath(v, cwd));
  const scenario = parseScenario(scenarioRaw);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(scenario.program);
  } catch (e) {
    throw new LaunchError(`program: cannot read ${scenario.program}: ${(e as Error).message}`);
  }
  const program = loadProgramBytes(scenario.program, bytes);
  const late = lateFaultNote(scenario);
  const warnings = late === null ? [] : [`${late}: raise untilMs, or inject it while debugging`];
  const programs = vmPrograms(scenario);
  if (programs !== undefined) warnings.push(`a cluster of ${scenario.vms!.length} VMs: the threads are ${scenario.vms![0].name}'s; every VM shows in the Hosts view and the timeline`);
  return { scenario: withGuestWorkload(scenario, program), program, programPath: scenario.program, programBytes: bytes, programs, stopOnEntry, breakOn, injected: [], warnings };
}

/** A VM of `vms` with its program's path resolved against the launch's folder (anything else is left for the scenario's checks). */
function vmWithPath(v: unknown, cwd: string): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const p = (v as { program?: unknown }).program;
  return typeof p === 'string' && !isAbsolute(p) ? { ...v, program: resolve(cwd, p) } : v;
}

/** The programs of a cluster's VMs by path, each read once (undefined: a single VM). */
function vmPrograms(s: Scenario): Map<string, Program> | undefined {
  if (s.vms === null) return undefined;
  const programs = new Map<string, Program>();
  for (const [i, v] of s.vms.entries()) {
    if (programs.has(v.program)) continue;
    try {
      programs.set(v.program, loadProgramBytes(v.program, readFileSync(v.program)));
    } catch (e) {
      throw new LaunchError(`vms[${i}].program: cannot load ${v.program}: ${(e as Error).message}`);
    }
  }
  return programs;
}

/** The `breakOn` launch argument (default `primary`), or a clear error naming the valid values. */
function breakOnOf(v: unknown): BreakMode {
  if (v === undefined) return 'primary';
  if (typeof v === 'string' && (BREAK_MODES as readonly string[]).includes(v)) return v as BreakMode;
  throw new LaunchError(`breakOn: must be ${BREAK_MODES.map((m) => JSON.stringify(m)).join(', ')}, not ${JSON.stringify(v)} (which VM stops at a breakpoint: the primary, the secondary replaying it, or both)`);
}

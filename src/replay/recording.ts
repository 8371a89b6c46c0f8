// Recordings: everything needed to reproduce a run exactly, encoded as a versioned, checksummed file (pure; no I/O here).

import type { FaultSpec, Scenario } from '../ft/scenario';
import { parseScenario, scenarioToJson } from '../ft/scenario';
import { crc32 } from './crc32';
import { UNNUMBERED_MODEL } from '../ft/model';

export const RECORDING_FORMAT = 'lockstep-recording';
export const RECORDING_VERSION = 1;
const HEADER_BYTES_MAX = 4096;

export interface Recording {
  /** The scenario as run (its `program` is the program's file name, for messages). */
  scenario: Scenario;
  program: { name: string; bytes: Uint8Array };
  /** A cluster of several VMs: every VM's program, by the name the scenario's `vms` give it (absent for one VM). */
  programs?: { name: string; bytes: Uint8Array }[];
  /** Faults injected while the run was live (e.g. from the debugger), at their exact simulated times. */
  injected: { atNs: number; fault: FaultSpec }[];
  /** What the run produced, to verify a replay against, and the simulation model it ran under (src/ft/model.ts). */
  expect: { endNs: number; traceHash: string; ok: boolean; failed: string[]; model: number };
  /** Free-form context (the command that made it, a chaos seed); not part of the run. */
  note: string;
}

export class RecordingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordingError';
  }
}

interface Header { format: string; version: number; bodyBytes: number; crc32: number }

export function encodeRecording(r: Recording): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify({
    scenario: scenarioToJson(r.scenario),
    program: { name: r.program.name, base64: Buffer.from(r.program.bytes).toString('base64') },
    ...(r.programs === undefined ? {} : { programs: r.programs.map((p) => ({ name: p.name, base64: Buffer.from(p.bytes).toString('base64') })) }),
    injected: r.injected,
    expect: r.expect,
    note: r.note,
  }));
  const header: Header = { format: RECORDING_FORMAT, version: RECORDING_VERSION, bodyBytes: body.length, crc32: crc32(body) };
  const head = new TextEncoder().encode(`${JSON.stringify(header)}\n`);
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** Decodes and checks a recording; every problem becomes a RecordingError with a clear message. */
export function decodeRecording(bytes: Uint8Array): Recording {
  const nl = bytes.subarray(0, HEADER_BYTES_MAX).indexOf(0x0a);
  if (nl < 0) throw new RecordingError('not a Lockstep recording (no header line)');
  const header = parseHeader(new TextDecoder().decode(bytes.subarray(0, nl)));
  const body = bytes.subarray(nl + 1);
  if (body.length < header.bodyBytes) throw new RecordingError(`recording is truncated: ${body.length} of ${header.bodyBytes} bytes`);
  if (body.length > header.bodyBytes) throw new RecordingError(`recording has ${body.length - header.bodyBytes} unexpected trailing bytes`);
  if (crc32(body) !== header.crc32) throw new RecordingError('recording is corrupt: checksum mismatch');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body)) as Record<string, unknown>;
  } catch (e) {
    throw new RecordingError(`recording body is not valid JSON: ${(e as Error).message}`);
  }
  return checkBody(raw);
}

function parseHeader(text: string): Header {
  let h: Partial<Header>;
  try {
    h = JSON.parse(text) as Partial<Header>;
  } catch {
    throw new RecordingError('not a Lockstep recording (unreadable header)');
  }
  if (h === null || typeof h !== 'object' || h.format !== RECORDING_FORMAT) throw new RecordingError('not a Lockstep recording');
  if (typeof h.version !== 'number' || !Number.isInteger(h.version)) throw new RecordingError('recording header has no version');
  if (h.version > RECORDING_VERSION) throw new RecordingError(`recording version ${h.version} is newer than this Lockstep understands (${RECORDING_VERSION}); update Lockstep`);
  if (h.version < 1) throw new RecordingError(`unknown recording version ${h.version}`);
  if (!Number.isSafeInteger(h.bodyBytes) || h.bodyBytes! < 0 || !Number.isInteger(h.crc32)) throw new RecordingError('recording header is malformed');
  return h as Header;
}

function checkBody(raw: Record<string, unknown>): Recording {
  const fail = (what: string): never => {
    throw new RecordingError(`recording body: ${what}`);
  };
  const prog = raw.program as { name?: unknown; base64?: unknown } | undefined;
  if (typeof prog?.name !== 'string' || typeof prog.base64 !== 'string') fail('program is missing');
  let scenario: Scenario;
  try {
    scenario = parseScenario(raw.scenario);
  } catch (e) {
    return fail(`scenario is invalid: ${(e as Error).message}`);
  }
  const injected = raw.injected;
  if (!Array.isArray(injected)) return fail('injected faults are missing');
  const expect = raw.expect as Recording['expect'] | undefined;
  if (typeof expect?.traceHash !== 'string' || typeof expect.endNs !== 'number') return fail('expected result is missing');
  if (expect.model !== undefined && !(Number.isSafeInteger(expect.model) && expect.model >= 1)) return fail(`expect.model must be a positive integer, not ${JSON.stringify(expect.model)}`);
  expect.model ??= UNNUMBERED_MODEL;
  const faults = injected.map((f: { atNs?: unknown; fault?: unknown }, i) => {
    if (typeof f?.atNs !== 'number') fail(`injected[${i}].atNs is missing`);
    try {
      return { atNs: f.atNs as number, fault: parseScenario({ ...raw.scenario as object, faults: [f.fault] }).faults[0] };
    } catch (e) {
      return fail(`injected[${i}] is invalid: ${(e as Error).message}`);
    }
  });
  const programs = vmProgramsOf(raw.programs, scenario, fail);
  return {
    scenario, injected: faults, expect, note: typeof raw.note === 'string' ? raw.note : '',
    program: { name: prog!.name as string, bytes: new Uint8Array(Buffer.from(prog!.base64 as string, 'base64')) },
    ...(programs === undefined ? {} : { programs }),
  };
}

/** The programs of a cluster's VMs: one per name the scenario's `vms` use, each present (absent for one VM). */
function vmProgramsOf(raw: unknown, scenario: Scenario, fail: (what: string) => never): Recording['programs'] {
  if (scenario.vms === null) return raw === undefined ? undefined : fail('programs belong to a scenario with vms');
  if (!Array.isArray(raw)) return fail('programs of the VMs are missing');
  const programs = raw.map((p: { name?: unknown; base64?: unknown }, i) => {
    if (typeof p?.name !== 'string' || typeof p.base64 !== 'string') fail(`programs[${i}] is malformed`);
    return { name: p.name as string, bytes: new Uint8Array(Buffer.from(p.base64 as string, 'base64')) };
  });
  const missing = scenario.vms.find((v) => !programs.some((p) => p.name === v.program));
  if (missing !== undefined) fail(`no program ${JSON.stringify(missing.program)} for VM ${missing.name}`);
  return programs;
}

// Robustness of the .debug_info reader: damaged and unsupported DWARF becomes per-unit messages; mutated sections never throw or hang.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DebugInfo } from '../../src/machine/dwarf-debug-info';
import { debugSectionsFromElf, type DebugSections } from '../../src/machine/dwarf-sections';
import { loadElf } from '../../src/machine/elf';
import { typeName, typeSize } from '../../src/machine/dwarf-type-util';
import type { MachineAccess } from '../../src/machine/dwarf-expr';
import type { LineRow } from '../../src/machine/program';
import { DWARF_ELFS, elfBytes } from '../helpers/dwarf-fixtures';
import { resolveEntryValue, type CallerFrames } from '../../src/machine/dwarf-entry-value';
import { mulberry32 } from '../helpers/mulberry32';

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

test('a 64-bit DWARF unit or an unknown version costs that unit only, with a message', () => {
  const s = debugSectionsFromElf(elfBytes(DWARF_ELFS.types4));
  const dwarf64 = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 4, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0]);
  const version6 = Uint8Array.from([3, 0, 0, 0, 6, 0, 0]);
  const info = new DebugInfo({ ...s, info: concat(s.info!, dwarf64, version6) });
  const units = info.units();
  assert.match(units[3].error ?? '', /64-bit DWARF is not supported/);
  assert.match(units[4].error ?? '', /version 6 is not supported/);
  assert.equal(info.functionAt(0x800000e6)?.name, 'sum_list');
  assert.equal(info.errors().length, 2);
});

test('units are read lazily, and a damaged unit is reported once while the others work', () => {
  const bytes = elfBytes(DWARF_ELFS.types4);
  const s = debugSectionsFromElf(bytes);
  const sumList = new DebugInfo(s).findFunction('sum_list')!;
  const info = { ...s, info: new Uint8Array(s.info!) };
  info.info[sumList.offset] = 0x7e; // an abbreviation code the table lacks, deep inside types.c's unit
  const d = new DebugInfo(info);
  assert.deepEqual(d.errors(), [], 'nothing read yet but root entries');
  assert.equal(d.functionAt(0x80000312)?.name, 'twice');
  assert.deepEqual(d.errors(), [], 'other.c does not need types.c');
  assert.equal(d.functionAt(0x800000e6), undefined);
  assert.equal(d.functionAt(0x800000f0), undefined);
  assert.equal(d.errors().length, 1);
  assert.match(d.errors()[0], /unit at 0x22.*abbreviation 126/);
  assert.deepEqual(d.globals().map((v) => v.name), ['shared_value', 'other_flags', 'hidden_instance']);
  assert.equal(d.units()[1].error, d.errors()[0]);
});

test('a type that refers to itself is unknown, not a hang', () => {
  // abbrev 1: compile_unit with children; 2: typedef(name string, type ref4); 3: variable(name string, type ref4)
  const abbrev = Uint8Array.from([1, 0x11, 1, 0, 0, 2, 0x16, 0, 0x03, 0x08, 0x49, 0x13, 0, 0, 3, 0x34, 0, 0x03, 0x08, 0x49, 0x13, 0, 0, 0]);
  const dies = [1, 2, 0x74, 0, 12, 0, 0, 0, 3, 0x76, 0, 12, 0, 0, 0, 0];
  const header = [7 + dies.length, 0, 0, 0, 4, 0, 0, 0, 0, 0, 4];
  const d = new DebugInfo({ info: Uint8Array.from([...header, ...dies]), abbrev });
  const [v] = d.globals();
  assert.equal(v.name, 'v');
  assert.ok(v.type?.kind === 'typedef' && v.type.target?.kind === 'unknown');
  assert.match(typeName(v.type.target), /refers to itself/);
  assert.equal(typeSize(v.type), undefined);
  assert.deepEqual(d.errors(), []);
});

test('member offsets from a location list and strided arrays are refused, not guessed', () => {
  const abbrev = Uint8Array.from([
    1, 0x11, 1, 0, 0, // compile_unit
    2, 0x13, 1, 0x03, 0x08, 0x0b, 0x0b, 0, 0, // structure_type: name, byte_size
    3, 0x0d, 0, 0x03, 0x08, 0x49, 0x13, 0x38, 0x17, 0, 0, // member: name, type, data_member_location (sec_offset)
    4, 0x24, 0, 0x03, 0x08, 0x0b, 0x0b, 0x3e, 0x0b, 0, 0, // base_type: name, byte_size, encoding
    5, 0x01, 1, 0x49, 0x13, 0x51, 0x0b, 0, 0, // array_type: type, byte_stride
    6, 0x21, 0, 0x2f, 0x0b, 0, 0, // subrange_type: upper_bound
    7, 0x34, 0, 0x03, 0x08, 0x49, 0x13, 0, 0, // variable: name, type
    0,
  ]);
  const dies = [
    1, // @11 root
    4, 0x69, 0, 4, 5, // @12 int
    2, 0x73, 0, 8, // @17 struct s
    3, 0x6d, 0, 12, 0, 0, 0, 0, 0, 0, 0, // @21 member m
    0,
    5, 12, 0, 0, 0, 8, // @33 int[] with a stride of 8
    6, 3, 0,
    7, 0x61, 0, 17, 0, 0, 0, // @42 a
    7, 0x62, 0, 33, 0, 0, 0, // @49 b
    0,
  ];
  const d = new DebugInfo({ info: Uint8Array.from([7 + dies.length, 0, 0, 0, 4, 0, 0, 0, 0, 0, 4, ...dies]), abbrev });
  const [a, b] = d.globals();
  assert.ok(a.type?.kind === 'struct');
  assert.match(typeName(a.type.members[0].type), /depend on the object are not supported/);
  assert.match(typeName(b.type), /stride/);
});

test('types are followed across units: DW_FORM_ref_addr, and ref_sig8 into a DWARF 5 type unit', () => {
  const abbrev = Uint8Array.from([
    1, 0x11, 1, 0, 0, // compile_unit
    2, 0x24, 0, 0x03, 0x08, 0x0b, 0x0b, 0x3e, 0x0b, 0, 0, // base_type: name, byte_size, encoding
    3, 0x34, 0, 0x03, 0x08, 0x49, 0x10, 0, 0, // variable: name, type (ref_addr)
    4, 0x41, 1, 0, 0, // type_unit
    5, 0x34, 0, 0x03, 0x08, 0x49, 0x20, 0, 0, // variable: name, type (ref_sig8)
    0,
  ]);
  const sig = [8, 7, 6, 5, 4, 3, 2, 1];
  const info = Uint8Array.from([
    16, 0, 0, 0, 4, 0, 0, 0, 0, 0, 4, /* @11 */ 1, /* @12 */ 3, 0x78, 0, 32, 0, 0, 0, 0, // unit A: x refers into unit B
    14, 0, 0, 0, 4, 0, 0, 0, 0, 0, 4, /* @31 */ 1, /* @32 */ 2, 0x75, 0, 2, 7, 0, // unit B: unsigned 2-byte u
    27, 0, 0, 0, 5, 0, 2, 4, 0, 0, 0, 0, ...sig, 25, 0, 0, 0, /* @62 */ 4, /* @63 */ 2, 0x74, 0, 4, 5, 0, // type unit: int t
    20, 0, 0, 0, 4, 0, 0, 0, 0, 0, 4, /* @80 */ 1, /* @81 */ 5, 0x79, 0, ...sig, 0, // unit D: y by signature
  ]);
  const d = new DebugInfo({ info, abbrev });
  assert.deepEqual(d.errors(), []);
  assert.deepEqual(d.units().map((u) => u.offset), [0, 20, 69], 'the type unit is not a compile unit');
  assert.deepEqual(d.globals().map((v) => `${typeName(v.type)} ${v.name} ${typeSize(v.type)}`), ['u x 2', 't y 4']);
});

test('files that are not ELF, or have no DWARF, give an empty DebugInfo', () => {
  const junk = DebugInfo.fromElf(Uint8Array.from([1, 2, 3]));
  assert.match(junk.errors()[0], /not a little-endian ELF32 file/);
  assert.deepEqual([junk.functions(), junk.globals(), junk.scopesAt(0), junk.framesAt(0)], [[], [], [], []]);
  assert.equal(new DebugInfo({}).hasInfo, false);
});

// ---- fuzzing ----------------------------------------------------------------------------------

const EXTREMES = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];

function mutate(src: DebugSections, rnd: () => number): DebugSections {
  const pick = (n: number): number => Math.floor(rnd() * n);
  const keys = (Object.keys(src) as (keyof DebugSections)[]).filter((k) => src[k] !== undefined && src[k]!.length > 0);
  const out: DebugSections = { ...src };
  for (let round = 0, n = 1 + pick(3); round < n; round++) {
    const key = keys[pick(keys.length)];
    const b = new Uint8Array(out[key]!);
    const kind = pick(5);
    if (kind === 0) for (let i = 0, k = 1 + pick(8); i < k; i++) b[pick(b.length)] ^= 1 << pick(8);
    else if (kind === 1) {
      out[key] = b.slice(0, pick(b.length));
      continue;
    } else if (kind === 2 && b.length >= 4) new DataView(b.buffer).setUint32(pick(b.length - 3), EXTREMES[pick(EXTREMES.length)], true);
    else if (kind === 3) b[pick(b.length)] = EXTREMES[pick(EXTREMES.length)] & 0xff;
    else for (let i = pick(b.length), end = Math.min(b.length, i + 1 + pick(32)); i < end; i++) b[i] = pick(256);
    out[key] = b;
  }
  return out;
}

const FAKE: MachineAccess = { reg: (n) => (n < 32 ? 0x80001000 + n * 4 : undefined), readMemory: (_a, len) => (len <= 4096 ? new Uint8Array(len).fill(0x5a) : undefined), cfa: () => 0x80002000 };

/** Two frames: the callee at `pc`, called from the call site returning to `ret`; entry values resolve through it. */
function fakeCall(d: DebugInfo, pc: number, ret: number): CallerFrames {
  const f: CallerFrames = {
    count: 2,
    lookupPc: (l) => (l === 0 ? pc : ret - 1),
    returnPc: (l) => (l === 1 ? ret : undefined),
    access: (l) => ({ ...FAKE, entryValue: (reg, deref) => resolveEntryValue(d, f, l, { kind: 'register', reg }, deref) }),
    symbolAddress: () => undefined,
  };
  return f;
}

/** Asks everything the debugger would ask of a DebugInfo, as it would (all public entry points). */
function exercise(d: DebugInfo, lines: readonly LineRow[]): void {
  d.units();
  for (const fn of d.functions().slice(0, 40)) {
    for (const site of fn.callSites.slice(0, 8)) {
      const callee = site.origin === undefined ? undefined : d.entryAddressOf(site.origin);
      const frames = fakeCall(d, typeof callee === 'number' ? callee : fn.entryPc, site.returnPc);
      for (const reg of [10, 11, 12]) resolveEntryValue(d, frames, 0, { kind: 'register', reg }, reg === 12);
      for (const frame of d.framesAt(frames.lookupPc(0))) for (const v of frame.parameters) d.readVariable(v, frames.lookupPc(0) + 2, frames.access(0));
    }
    for (const pc of [fn.entryPc, fn.ranges[0].start, fn.ranges[fn.ranges.length - 1].end - 2]) {
      for (const frame of d.framesAt(pc)) {
        for (const v of [...frame.parameters, ...frame.locals]) {
          typeName(v.type);
          d.readVariable(v, pc, FAKE);
          d.findVariable(v.name, pc);
        }
      }
      d.scopesAt(pc);
    }
    d.prologueEnd(fn.entryPc, lines);
  }
  for (const v of d.globals().slice(0, 40)) {
    typeName(v.type);
    d.readVariable(v, 0, FAKE);
  }
  d.findVariable('nothing here', 0x80000100);
}

test('mutated .debug_* sections never make the reader throw or hang', { timeout: 300_000 }, () => {
  const rnd = mulberry32(20261214);
  let cases = 0;
  let failedUnits = 0;
  for (const path of Object.values(DWARF_ELFS)) {
    const bytes = elfBytes(path);
    const sections = debugSectionsFromElf(bytes);
    const lines = loadElf(bytes, path).lines;
    for (let i = 0; i < (path.includes('kvstore') ? 150 : 250); i++, cases++) {
      const mutated = mutate(sections, rnd);
      const started = performance.now();
      let d: DebugInfo | undefined;
      try {
        d = new DebugInfo(mutated);
        exercise(d, lines);
      } catch (e) {
        assert.fail(`${path} case ${i}: threw ${(e as Error)?.stack ?? String(e)}`);
      }
      const ms = performance.now() - started;
      assert.ok(ms < 5_000, `${path} case ${i}: took ${ms.toFixed(0)} ms`);
      const errors = d.errors();
      assert.ok(!errors.some((m) => m.includes('internal error')), `${path} case ${i}: ${errors.find((m) => m.includes('internal error'))}`);
      assert.ok(errors.every((m) => m.length > 0 && m.length < 500), `${path} case ${i}: message length`);
      failedUnits += d.units().filter((u) => u.error !== undefined).length;
    }
  }
  assert.ok(failedUnits > 0 && cases > 0, 'the mutations did damage some units');
});

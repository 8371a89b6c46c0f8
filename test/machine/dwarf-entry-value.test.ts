// Call sites and entry values on GCC -Og code of the C corpus: what a caller passed, found at its return address, checked against the callee, computed in the caller's frame.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DebugInfo } from '../../src/machine/dwarf-debug-info';
import { resolveEntryValue, type CallerFrames } from '../../src/machine/dwarf-entry-value';
import { entrySlot, parameterSlot } from '../../src/machine/dwarf-call-sites';
import { evaluateExpression, type MachineAccess } from '../../src/machine/dwarf-expr';
import { ROOT } from '../debug/helpers';

const info = DebugInfo.fromElf(readFileSync(join(ROOT, 'test/fixtures/c-debug/build/frames-gcc-Og.elf')));
// Addresses from `objdump -d` and `--dwarf=info` of that ELF (committed; the corpus rebuild test keeps it byte-exact).
const ADD = 0x800000d0;
const WALK = 0x8000010e;
const WALK_RECURSES = 0x8000011e; // return address of walk's call to itself
const CALLBACK_CALLS_FN = 0x80000170; // return address of probe_callback's `fn(x, 2)`: target DW_OP_breg18 (s2)
const MAIN_CALLS_WALK = 0x800001f2;

/** Frames from (function pc, return pc, registers) per level, innermost first. */
function frames(levels: { pc: number; ret?: number; regs?: Record<number, number> }[]): CallerFrames {
  const f: CallerFrames = {
    count: levels.length,
    lookupPc: (l) => (levels[l].ret === undefined ? levels[l].pc : levels[l].ret! - 1),
    returnPc: (l) => levels[l].ret,
    access: (l): MachineAccess => ({
      reg: (n) => levels[l].regs?.[n], readMemory: () => undefined, cfa: () => undefined,
      entryValue: (reg, deref) => resolveEntryValue(info, f, l, { kind: 'register', reg }, deref),
    }),
    symbolAddress: () => undefined,
  };
  return f;
}

test('call sites are read with their return address, target and the values passed', () => {
  const callback = info.findFunction('probe_callback')!;
  const site = callback.callSites.find((s) => s.returnPc === CALLBACK_CALLS_FN)!;
  assert.equal(site.origin, undefined, 'an indirect call names no origin');
  assert.deepEqual([...site.target!], [0x82, 0x00], 'DW_OP_breg18 0');
  assert.deepEqual(site.parameters.map((p) => p.slot), [{ kind: 'register', reg: 10 }, { kind: 'register', reg: 11 }]);
  const main = info.findFunction('main')!;
  assert.equal(info.entryAddressOf(main.callSites.find((s) => s.returnPc === MAIN_CALLS_WALK)!.origin!), WALK);
  assert.deepEqual(parameterSlot(new Uint8Array([0x72, 0x08])), { kind: 'stack', offset: 8 }, 'DW_OP_breg2 8 is sp + 8: a stack slot');
  assert.equal(parameterSlot(new Uint8Array([0x72, 0x08, 0x06])), undefined, 'anything more is no slot');
  assert.deepEqual(entrySlot(new Uint8Array([0x91, 0x7c])), { kind: 'stack', offset: -4 });
  assert.equal(entrySlot(new Uint8Array([0x5a, 0x9f])), undefined, 'only a location that is exactly one register');
});

test('an entry value through a direct call, recursively: walk called by walk called by main', () => {
  const f = frames([{ pc: WALK }, { pc: WALK, ret: WALK_RECURSES }, { pc: 0, ret: MAIN_CALLS_WALK }]);
  // main passes depth 0 (DW_OP_lit0); walk passes DW_OP_entry_value(a1) + 1 of its own entry.
  assert.deepEqual(resolveEntryValue(info, f, 1, { kind: 'register', reg: 11 }, false), { value: 0 });
  assert.deepEqual(resolveEntryValue(info, f, 0, { kind: 'register', reg: 11 }, false), { value: 1 });
  assert.deepEqual(resolveEntryValue(info, f, 1, { kind: 'register', reg: 10 }, false), { value: 0x8000028c }, 'DW_OP_addr chain');
  assert.match((resolveEntryValue(info, f, 0, { kind: 'register', reg: 10 }, false) as { reason: string }).reason, /does not say what it passed/);
  assert.match((resolveEntryValue(info, f, 2, { kind: 'register', reg: 10 }, false) as { reason: string }).reason, /caller of .* is not known|no DWARF function/);
  // The same location expression the compiler wrote for depth past its last use.
  const loc = evaluateExpression(new Uint8Array([0xa3, 0x01, 0x5b, 0x9f]), f.access(0));
  assert.deepEqual(loc, { kind: 'value', value: 1 });
});

test('an indirect call is trusted only when its target, computed in the caller, is the callee', () => {
  const at = (s2: number): CallerFrames => frames([{ pc: ADD }, { pc: 0, ret: CALLBACK_CALLS_FN, regs: { 8: 5, 18: s2 } }]);
  assert.deepEqual(resolveEntryValue(info, at(ADD), 0, { kind: 'register', reg: 10 }, false), { value: 5 }, 'a0 = DW_OP_breg8 (s0) 0');
  assert.deepEqual(resolveEntryValue(info, at(ADD), 0, { kind: 'register', reg: 11 }, false), { value: 2 });
  assert.match((resolveEntryValue(info, at(0x800000d4), 0, { kind: 'register', reg: 10 }, false) as { reason: string }).reason, /calls 0x800000d4, not add/);
  const unknownTarget = frames([{ pc: ADD }, { pc: 0, ret: CALLBACK_CALLS_FN, regs: { 8: 5 } }]);
  assert.match((resolveEntryValue(info, unknownTarget, 0, { kind: 'register', reg: 10 }, false) as { reason: string }).reason, /called address is not known/);
  const noSite = frames([{ pc: ADD }, { pc: 0, ret: CALLBACK_CALLS_FN + 2 }]);
  assert.match((resolveEntryValue(info, noSite, 0, { kind: 'register', reg: 10 }, false) as { reason: string }).reason, /no call site/);
  const trap = frames([{ pc: ADD }, { pc: CALLBACK_CALLS_FN }]);
  assert.match((resolveEntryValue(info, trap, 0, { kind: 'register', reg: 10 }, false) as { reason: string }).reason, /was not called/);
  assert.match((resolveEntryValue(info, at(ADD), 0, { kind: 'register', reg: 10 }, true) as { reason: string }).reason, /does not say/, 'no DW_AT_call_data_value');
});

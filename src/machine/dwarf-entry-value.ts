// Entry values (DW_OP_entry_value, GDB's `x@entry`): what a parameter held when its function was entered, read from the caller's call site.

import { evaluateExpression, type EntryValue, type MachineAccess } from './dwarf-expr';
import { sameSlot, type CallSite, type ParameterSlot } from './dwarf-call-sites';
import type { DebugInfo } from './dwarf-debug-info';
import type { DwarfFunction } from './dwarf-scopes';
import { hex } from './elf-bytes';

/** What resolving an entry value needs of a stopped machine's frames (the debugger provides them). */
export interface CallerFrames {
  /** Machine frames known; 0 is the innermost. */
  readonly count: number;
  /** Where frame `level`'s code is looked up: its pc, or in a caller the call (return address - 1). */
  lookupPc(level: number): number;
  /** The address frame `level - 1` returns to in frame `level`; undefined when it was not called from there (a trap). */
  returnPc(level: number): number | undefined;
  /** Frame `level`'s registers and memory, its own entry values resolved through its caller. */
  access(level: number): MachineAccess;
  /** A function's address by name from the symbol table (a call origin DWARF has no code for). */
  symbolAddress(name: string): number | undefined;
}

/** Functions visited at most when looking for a tail-call cycle. */
const TAIL_CALL_VISITS_MAX = 1_000;

/**
 * The value `slot` held on entry to the function of machine frame `level` (with `deref`, the value it
 * pointed at), as GDB finds it: the caller's call site at the return address must call this very function,
 * and must say what it passed there; the value is then computed in the caller's frame.
 */
export function resolveEntryValue(d: DebugInfo, frames: CallerFrames, level: number, slot: ParameterSlot, deref: boolean): EntryValue {
  const callee = d.functionAt(frames.lookupPc(level));
  if (callee === undefined) return { reason: 'the frame has no DWARF function' };
  if (level + 1 >= frames.count) return { reason: `the caller of ${callee.name} is not known` };
  const ret = frames.returnPc(level + 1);
  if (ret === undefined) return { reason: `${callee.name} was not called (its caller was interrupted)` };
  const caller = d.functionAt(frames.lookupPc(level + 1));
  const site = caller?.callSites.find((s) => s.returnPc === ret);
  if (caller === undefined || site === undefined) return { reason: `no call site for the return address ${hex(ret)}` };
  const callerAccess = frames.access(level + 1);
  const target = targetAddress(d, site, callerAccess, frames);
  if (typeof target === 'string') return { reason: target };
  if (target !== callee.entryPc) return { reason: `the call site at ${hex(ret)} in ${caller.name} calls ${hex(target)}, not ${callee.name}` };
  if (callsItselfByTailCalls(d, callee, frames)) return { reason: `${callee.name} can call itself through tail calls` };
  const param = site.parameters.find((p) => sameSlot(p.slot, slot));
  const expr = deref ? param?.dataValue : param?.value;
  if (expr === undefined) return { reason: `the call site at ${hex(ret)} in ${caller.name} does not say what it passed there` };
  return valueOf(expr, callerAccess, site);
}

/** The address a call site calls, or why it is not known. */
function targetAddress(d: DebugInfo, site: CallSite, access: MachineAccess, frames: CallerFrames): number | string {
  if (site.origin !== undefined) {
    const fn = d.entryAddressOf(site.origin);
    if (typeof fn === 'number') return fn;
    return (fn === undefined ? undefined : frames.symbolAddress(fn.name)) ?? 'the called function has no known address';
  }
  if (site.target === undefined) return 'the call site does not say what it calls';
  const v = valueOf(site.target, access, site);
  return 'value' in v ? v.value : `the called address is not known: ${v.reason}`;
}

/** A call site expression's value in the caller's frame: the top of its stack, or what its location holds. */
function valueOf(expr: Uint8Array, access: MachineAccess, site: CallSite): EntryValue {
  const loc = evaluateExpression(expr, access, { addrx: (i) => site.unit.addrx(i) });
  switch (loc.kind) {
    case 'memory': return { value: loc.addr >>> 0 };
    case 'value': return { value: loc.value >>> 0 };
    case 'register': {
      const v = access.reg(loc.reg);
      return v === undefined ? { reason: 'the register is not known in the caller' } : { value: v >>> 0 };
    }
    case 'implicit': return loc.bytes.length >= 4 ? { value: new DataView(loc.bytes.buffer, loc.bytes.byteOffset).getUint32(0, true) } : { reason: 'the value is too short' };
    case 'unavailable': return { reason: loc.reason };
    case 'composite': return { reason: 'the value is in pieces' };
  }
}

/**
 * Whether `fn` can reach itself through tail calls alone (then a call site's values may belong to an
 * earlier activation: GDB trusts no entry value there). Calls whose target only the running code knows
 * are not followed.
 */
function callsItselfByTailCalls(d: DebugInfo, fn: DwarfFunction, frames: CallerFrames): boolean {
  const seen = new Set<number>();
  const todo: DwarfFunction[] = [fn];
  while (todo.length > 0 && seen.size < TAIL_CALL_VISITS_MAX) {
    const cur = todo.pop()!;
    for (const s of cur.callSites) {
      if (!s.tail || s.origin === undefined) continue;
      const at = d.entryAddressOf(s.origin);
      const addr = typeof at === 'number' ? at : at === undefined ? undefined : frames.symbolAddress(at.name);
      if (addr === fn.entryPc) return true;
      if (addr === undefined || seen.has(addr)) continue;
      seen.add(addr);
      const next = d.functionAt(addr);
      if (next !== undefined) todo.push(next);
    }
  }
  return false;
}

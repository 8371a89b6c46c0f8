// RISC-V integer register ABI names (x0..x31) and the 8-digit hex form of a 32-bit value: the one copy every layer uses.

/** `ABI_NAMES[n]` is the ABI name of register x`n`. */
export const ABI_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];

/** `0x0000002a`: a 32-bit value as 8 hex digits (negative numbers as their unsigned bits). */
export const hex8 = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** Registers a callee keeps for its caller (RISC-V psABI): gp, tp, s0–s11. Others are unknown in a caller's frame. */
export const CALLEE_SAVED: readonly number[] = [3, 4, 8, 9, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27];

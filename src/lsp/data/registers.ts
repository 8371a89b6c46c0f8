// Integer register reference data for hovers and completions: ABI name, number, role, who saves it.

export interface RegisterDoc {
  abi: string;
  num: number;
  role: string;
  saver: 'caller-saved' | 'callee-saved' | '—';
}

const ROWS: [string, string, RegisterDoc['saver']][] = [
  ['zero', 'hard-wired zero (writes are ignored)', '—'],
  ['ra', 'return address', 'caller-saved'],
  ['sp', 'stack pointer', 'callee-saved'],
  ['gp', 'global pointer', '—'],
  ['tp', 'thread pointer', '—'],
  ['t0', 'temporary / alternate link register', 'caller-saved'],
  ['t1', 'temporary', 'caller-saved'],
  ['t2', 'temporary', 'caller-saved'],
  ['s0', 'saved register / frame pointer (fp)', 'callee-saved'],
  ['s1', 'saved register', 'callee-saved'],
  ['a0', 'function argument / return value', 'caller-saved'],
  ['a1', 'function argument / return value', 'caller-saved'],
];
for (let i = 2; i <= 7; i++) ROWS.push([`a${i}`, 'function argument', 'caller-saved']);
for (let i = 2; i <= 11; i++) ROWS.push([`s${i}`, 'saved register', 'callee-saved']);
for (let i = 3; i <= 6; i++) ROWS.push([`t${i}`, 'temporary', 'caller-saved']);

export const REGISTERS: RegisterDoc[] = ROWS.map(([abi, role, saver], num) => ({ abi, num, role, saver }));

const BY_NAME = new Map<string, RegisterDoc>();
for (const r of REGISTERS) { BY_NAME.set(r.abi, r); BY_NAME.set(`x${r.num}`, r); }
BY_NAME.set('fp', REGISTERS[8]);

/** The register a name (ABI, xN or fp) denotes, or undefined. */
export function registerDoc(name: string): RegisterDoc | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Every accepted register spelling (for completion and rename checks). */
export function registerNames(): string[] {
  return [...BY_NAME.keys()];
}

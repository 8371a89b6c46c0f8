// CSR names as GNU objdump 2.40 prints them, for privileged spec 1.12 (objdump's default when the ELF file
// has no priv-spec attribute) or 1.11 (the attribute gas 2.40 writes once a CSR is named in the source).

/** Numbered CSR families: [number of index 0, prefix, first index, last index, suffix]. */
const FAMILIES: readonly (readonly [number, string, number, number, string])[] = [
  [0x10c, 'sstateen', 0, 3, ''],
  [0x30c, 'mstateen', 0, 3, ''],
  [0x31c, 'mstateen', 0, 3, 'h'],
  [0x320, 'mhpmevent', 3, 31, ''],
  [0x3a0, 'pmpcfg', 0, 15, ''],
  [0x3b0, 'pmpaddr', 0, 63, ''],
  [0x60c, 'hstateen', 0, 3, ''],
  [0x61c, 'hstateen', 0, 3, 'h'],
  [0x720, 'mhpmevent', 3, 31, 'h'],
  [0x7a0, 'tdata', 1, 3, ''],
  [0xb00, 'mhpmcounter', 3, 31, ''],
  [0xb80, 'mhpmcounter', 3, 31, 'h'],
  [0xc00, 'hpmcounter', 3, 31, ''],
  [0xc80, 'hpmcounter', 3, 31, 'h'],
];

/** Individually named CSRs, by number. */
const SINGLES: readonly (readonly [number, string])[] = [
  [0x1, 'fflags'], [0x2, 'frm'], [0x3, 'fcsr'], [0x8, 'vstart'], [0x9, 'vxsat'], [0xa, 'vxrm'], [0xf, 'vcsr'],
  [0x15, 'seed'], [0x100, 'sstatus'], [0x104, 'sie'], [0x105, 'stvec'], [0x106, 'scounteren'], [0x10a, 'senvcfg'],
  [0x114, 'sieh'], [0x140, 'sscratch'], [0x141, 'sepc'], [0x142, 'scause'], [0x143, 'stval'],
  [0x144, 'sip'], [0x14d, 'stimecmp'], [0x150, 'siselect'], [0x151, 'sireg'], [0x154, 'siph'], [0x15c, 'stopei'],
  [0x15d, 'stimecmph'], [0x180, 'satp'], [0x200, 'vsstatus'], [0x204, 'vsie'], [0x205, 'vstvec'], [0x214, 'vsieh'],
  [0x240, 'vsscratch'], [0x241, 'vsepc'], [0x242, 'vscause'], [0x243, 'vstval'], [0x244, 'vsip'],
  [0x24d, 'vstimecmp'], [0x250, 'vsiselect'], [0x251, 'vsireg'], [0x254, 'vsiph'], [0x25c, 'vstopei'],
  [0x25d, 'vstimecmph'], [0x280, 'vsatp'], [0x300, 'mstatus'], [0x301, 'misa'], [0x302, 'medeleg'],
  [0x303, 'mideleg'], [0x304, 'mie'], [0x305, 'mtvec'], [0x306, 'mcounteren'], [0x308, 'mvien'], [0x309, 'mvip'],
  [0x30a, 'menvcfg'], [0x310, 'mstatush'], [0x313, 'midelegh'], [0x314, 'mieh'], [0x318, 'mvienh'], [0x319, 'mviph'],
  [0x31a, 'menvcfgh'], [0x320, 'mcountinhibit'], [0x340, 'mscratch'], [0x341, 'mepc'], [0x342, 'mcause'],
  [0x343, 'mtval'], [0x344, 'mip'], [0x34a, 'mtinst'], [0x34b, 'mtval2'], [0x350, 'miselect'], [0x351, 'mireg'],
  [0x354, 'miph'], [0x35c, 'mtopei'], [0x5a8, 'scontext'], [0x600, 'hstatus'], [0x602, 'hedeleg'],
  [0x603, 'hideleg'], [0x604, 'hie'], [0x605, 'htimedelta'], [0x606, 'hcounteren'], [0x607, 'hgeie'],
  [0x608, 'hvien'], [0x609, 'hvictl'], [0x60a, 'henvcfg'], [0x613, 'hidelegh'], [0x615, 'htimedeltah'],
  [0x618, 'hvienh'], [0x61a, 'henvcfgh'], [0x643, 'htval'], [0x644, 'hip'], [0x645, 'hvip'], [0x646, 'hviprio1'],
  [0x647, 'hviprio2'], [0x64a, 'htinst'], [0x655, 'hviph'], [0x656, 'hviprio1h'], [0x657, 'hviprio2h'],
  [0x680, 'hgatp'], [0x6a8, 'hcontext'], [0x747, 'mseccfg'], [0x757, 'mseccfgh'], [0x7a0, 'tselect'],
  [0x7a4, 'tinfo'], [0x7a5, 'tcontrol'], [0x7a8, 'mcontext'], [0x7aa, 'mscontext'], [0x7b0, 'dcsr'], [0x7b1, 'dpc'],
  [0x7b2, 'dscratch0'], [0x7b3, 'dscratch1'], [0xb00, 'mcycle'], [0xb02, 'minstret'], [0xb80, 'mcycleh'],
  [0xb82, 'minstreth'], [0xc00, 'cycle'], [0xc01, 'time'], [0xc02, 'instret'], [0xc20, 'vl'], [0xc21, 'vtype'],
  [0xc22, 'vlenb'], [0xc80, 'cycleh'], [0xc81, 'timeh'], [0xc82, 'instreth'], [0xda0, 'scountovf'], [0xdb0, 'stopi'],
  [0xe12, 'hgeip'], [0xeb0, 'vstopi'], [0xf11, 'mvendorid'], [0xf12, 'marchid'], [0xf13, 'mimpid'],
  [0xf14, 'mhartid'], [0xf15, 'mconfigptr'], [0xfb0, 'mtopi'],
];

/** CSR number ranges (inclusive) that only spec 1.12 names. */
const NEW_IN_1_12: readonly (readonly [number, number])[] = [
  [0x10a, 0x10a], [0x30a, 0x30a], [0x310, 0x310], [0x31a, 0x31a], [0x34a, 0x34b], [0x3a4, 0x3af], [0x3c0, 0x3ef],
  [0x747, 0x747], [0x757, 0x757], [0xf15, 0xf15],
];

/** CSRs that spec 1.11 names and 1.12 dropped (the N extension's user trap CSRs, sedeleg/sideleg). */
const DROPPED_IN_1_12: readonly (readonly [number, string])[] = [
  [0x0, 'ustatus'], [0x4, 'uie'], [0x5, 'utvec'], [0x40, 'uscratch'], [0x41, 'uepc'], [0x42, 'ucause'],
  [0x43, 'utval'], [0x44, 'uip'], [0x102, 'sedeleg'], [0x103, 'sideleg'],
];

export type PrivSpec = '1.11' | '1.12';

const NAMES_1_12 = buildNames('1.12');
const NAMES_1_11 = buildNames('1.11');

function buildNames(spec: PrivSpec): string[] {
  const names = new Array<string>(4096);
  for (let n = 0; n < 4096; n++) names[n] = '0x' + n.toString(16);
  for (const [base, prefix, first, last, suffix] of FAMILIES) {
    for (let i = first; i <= last; i++) names[base + i] = prefix + i + suffix;
  }
  for (const [n, name] of SINGLES) names[n] = name;
  if (spec === '1.11') {
    for (const [from, to] of NEW_IN_1_12) for (let n = from; n <= to; n++) names[n] = '0x' + n.toString(16);
    for (const [n, name] of DROPPED_IN_1_12) names[n] = name;
  }
  return names;
}

/** objdump's spelling of CSR number `n` (0..4095) under `spec`: its name, or `0x..` when it has none. */
export function csrName(n: number, spec: PrivSpec = '1.12'): string {
  return (spec === '1.11' ? NAMES_1_11 : NAMES_1_12)[n & 0xfff];
}

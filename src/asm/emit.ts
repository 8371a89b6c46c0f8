// Final emission: section bytes from laid-out items (code, data, padding), with errors as diagnostics.
import { checkFits, littleEndian } from './directives';
import { evaluate } from './expressions';
import type { Layout } from './layout';
import { Item, Section } from './sections';
import { AsmError } from './types';
import { Emitted } from './words';

const RVC_NOP = 0x0001;
const NOP = 0x00000013;

export type OnCode = (it: Item, addr: number, words: Emitted[]) => void;

/** Fills every output section's bytes; `onCode` sees each instruction item with its final words. */
export function emit(layout: Layout, onCode: OnCode): void {
  collectPcrelHi(layout);
  for (const g of layout.groups) {
    const bytes = new Uint8Array(g.kind === 'bss' ? 0 : g.size);
    for (const s of g.sections) {
      for (const it of s.items) {
        const addr = s.addr + it.offset;
        try {
          emitItem(layout, it, s, addr, bytes, addr - g.addr, onCode);
        } catch (e) {
          if (!(e instanceof AsmError)) throw e;
          layout.a.error(e.message, e.span);
        }
      }
    }
    g.bytes = bytes;
  }
}

/** Records the offset each `auipc rd, %pcrel_hi(x)` establishes, for %pcrel_lo(label) lookups. */
function collectPcrelHi(layout: Layout): void {
  for (const g of layout.groups) for (const s of g.sections) for (const it of s.items) {
    if (it.t !== 'code' || !it.cg.pcrelHi) continue;
    const pc = s.addr + it.offset;
    const v = evaluate(it.cg.pcrelHi, layout.a.evalEnv(() => BigInt(pc)));
    if (v !== undefined) layout.pcrelHi.set(BigInt(pc), v - BigInt(pc));
  }
}

function emitItem(layout: Layout, it: Item, s: Section, addr: number, out: Uint8Array, pos: number, onCode: OnCode): void {
  const put = (b: Uint8Array, at: number): void => { if (out.length) out.set(b, at); };
  switch (it.t) {
    case 'bytes': put(it.bytes, pos); return;
    case 'align': put(padding(it.size, it.fill, s.kind === 'code'), pos); return;
    case 'org':
      if (it.offset > it.target) throw new AsmError(`.org ${it.target} moves backwards (already at ${it.offset})`, it.span);
      put(new Uint8Array(it.size).fill(it.fill), pos);
      return;
    case 'data':
      it.exprs.forEach((e, i) => {
        const v = layout.env(addr + i * it.width, s, true).value(e, e.span)!;
        checkFits(layout.a, v, it.width, e.span);
        put(littleEndian(v, it.width), pos + i * it.width);
      });
      return;
    case 'code': {
      const words = it.cg.gen ? it.cg.gen(layout.env(addr, s, true)) : it.words;
      const size = words.reduce((n, w) => n + w.n, 0);
      if (size !== it.size) throw new AsmError('internal: instruction size changed after layout', it.span);
      let p = pos;
      for (const w of words) {
        if (out.length) for (let k = 0; k < w.n; k++) out[p + k] = (w.w >>> (8 * k)) & 0xff;
        p += w.n;
      }
      onCode(it, addr, words);
    }
  }
}

/** Alignment padding: NOPs in code (GNU as riscv_make_nops), the fill byte or zeros elsewhere. */
function padding(n: number, fill: number | null, code: boolean): Uint8Array {
  const b = new Uint8Array(n);
  if (!code || fill !== null) { b.fill(fill ?? 0); return b; }
  let i = n % 2;
  if ((n - i) % 4 === 2) { b.set(littleEndian(BigInt(RVC_NOP), 2), i); i += 2; }
  for (; i < n; i += 4) b.set(littleEndian(BigInt(NOP), 4), i);
  return b;
}

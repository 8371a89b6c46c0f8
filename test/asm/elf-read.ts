// Test helper: a minimal ELF32 little-endian reader (header, program headers, sections, symbols).
export interface ElfSection { name: string; type: number; addr: number; offset: number; size: number; alloc: boolean; nobits: boolean; data: Uint8Array; link: number }
export interface ElfHeader { type: number; machine: number; entry: number; flags: number; phnum: number; shnum: number }
export interface ElfPhdr { type: number; offset: number; vaddr: number; filesz: number; memsz: number; flags: number }

export function readElfHeader(b: Uint8Array): ElfHeader {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (dv.getUint32(0) !== 0x7f454c46 || b[4] !== 1 || b[5] !== 1) throw new Error('not an ELF32 LE file');
  return { type: dv.getUint16(16, true), machine: dv.getUint16(18, true), entry: dv.getUint32(24, true), flags: dv.getUint32(36, true), phnum: dv.getUint16(44, true), shnum: dv.getUint16(48, true) };
}

export function readElfPhdrs(b: Uint8Array): ElfPhdr[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const phoff = dv.getUint32(28, true);
  const out: ElfPhdr[] = [];
  for (let i = 0; i < dv.getUint16(44, true); i++) {
    const o = phoff + 32 * i;
    const u = (k: number) => dv.getUint32(o + 4 * k, true);
    out.push({ type: u(0), offset: u(1), vaddr: u(2), filesz: u(4), memsz: u(5), flags: u(6) });
  }
  return out;
}

export function readElfSections(b: Uint8Array): ElfSection[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const shoff = dv.getUint32(32, true);
  const shnum = dv.getUint16(48, true);
  const shstrndx = dv.getUint16(50, true);
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + 40 * i;
    const u = (k: number) => dv.getUint32(o + 4 * k, true);
    raw.push({ nameOff: u(0), type: u(1), flags: u(2), addr: u(3), offset: u(4), size: u(5), link: u(6) });
  }
  const strs = raw[shstrndx];
  const cstr = (base: number, off: number) => { let e = base + off; while (b[e]) e++; return Buffer.from(b.subarray(base + off, e)).toString('utf8'); };
  return raw.map((s) => ({
    name: strs ? cstr(strs.offset, s.nameOff) : '', type: s.type, addr: s.addr, offset: s.offset, size: s.size, link: s.link,
    alloc: (s.flags & 2) !== 0, nobits: s.type === 8,
    data: s.type === 8 ? new Uint8Array(0) : b.subarray(s.offset, s.offset + s.size),
  }));
}

export function readElfSymbols(b: Uint8Array): { name: string; value: number; size: number; info: number; shndx: number }[] {
  const secs = readElfSections(b);
  const symtab = secs.find((s) => s.type === 2);
  if (!symtab) return [];
  const str = secs[symtab.link];
  const dv = new DataView(symtab.data.buffer, symtab.data.byteOffset, symtab.data.byteLength);
  const out = [];
  for (let o = 16; o < symtab.size; o += 16) {
    const nameOff = dv.getUint32(o, true);
    let e = str.offset + nameOff;
    while (b[e]) e++;
    out.push({ name: Buffer.from(b.subarray(str.offset + nameOff, e)).toString('utf8'), value: dv.getUint32(o + 4, true), size: dv.getUint32(o + 8, true), info: dv.getUint8(o + 12), shndx: dv.getUint16(o + 14, true) });
  }
  return out;
}

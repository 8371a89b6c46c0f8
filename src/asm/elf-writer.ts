// Writes a Program as a standard ELF32 little-endian RISC-V executable (PT_LOAD per segment, section
// headers, .debug_line, .symtab/.strtab/.shstrtab) that QEMU loads and objdump/GDB read.
import type { Program, ProgramSymbol, Segment } from '../machine/program';
import { debugLine } from './dwarf-line';

const EM_RISCV = 243;
const EF_RISCV_RVC = 0x1;
const PAGE = 0x1000;
const SHN_ABS = 0xfff1;
const rvcPrograms = new WeakMap<Program, boolean>();

/** Records that `program` contains compressed instructions (sets EF_RISCV_RVC in writeElf). */
export function rememberRvc(program: Program, rvc: boolean): void {
  rvcPrograms.set(program, rvc);
}

class StrTab {
  private parts: Buffer[] = [Buffer.from([0])];
  private size = 1;
  add(s: string): number {
    const off = this.size;
    const b = Buffer.from(s + '\0', 'utf8');
    this.parts.push(b);
    this.size += b.length;
    return off;
  }
  bytes(): Buffer { return Buffer.concat(this.parts); }
}

interface SectionHeader { name: number; type: number; flags: number; addr: number; offset: number; size: number; link: number; info: number; align: number; entsize: number }

function sectionFlags(seg: Segment): number {
  const alloc = 2, write = 1, exec = 4;
  if (seg.executable) return alloc | exec;
  return /rodata/.test(seg.name) ? alloc : alloc | write;
}

function sectionIndexOf(segments: Segment[], addr: number): number {
  const i = segments.findIndex((s) => addr >= s.addr && addr < s.addr + s.memSize);
  if (i >= 0) return i + 1;
  const j = segments.findIndex((s) => addr === s.addr + s.memSize);
  return j >= 0 ? j + 1 : SHN_ABS;
}

function symtab(program: Program, strtab: StrTab): { bytes: Buffer; firstGlobal: number } {
  const ordered: ProgramSymbol[] = [...program.symbols.filter((s) => !s.global), ...program.symbols.filter((s) => s.global)];
  const buf = Buffer.alloc(16 * (ordered.length + 1));
  ordered.forEach((s, i) => {
    const o = 16 * (i + 1);
    const type = s.kind === 'func' ? 2 : s.kind === 'object' ? 1 : 0;
    buf.writeUInt32LE(strtab.add(s.name), o);
    buf.writeUInt32LE(s.addr >>> 0, o + 4);
    buf.writeUInt32LE(s.size >>> 0, o + 8);
    buf.writeUInt8(((s.global ? 1 : 0) << 4) | type, o + 12);
    buf.writeUInt16LE(sectionIndexOf(program.segments, s.addr), o + 14);
  });
  return { bytes: buf, firstGlobal: 1 + program.symbols.filter((s) => !s.global).length };
}

export function writeElf(program: Program, opts: { rvc?: boolean } = {}): Uint8Array {
  const segs = program.segments;
  const shstr = new StrTab();
  const strtab = new StrTab();
  const chunks: { offset: number; data: Uint8Array }[] = [];
  const headers: SectionHeader[] = [];
  let offset = 52 + 32 * segs.length;
  const phdrs = Buffer.alloc(32 * segs.length);
  segs.forEach((seg, i) => {
    offset += (((seg.addr - offset) % PAGE) + PAGE) % PAGE; // p_offset ≡ p_vaddr (mod page)
    chunks.push({ offset, data: seg.data });
    const o = 32 * i;
    const flags = 4 | (seg.executable ? 1 : 0) | (sectionFlags(seg) & 1 ? 2 : 0);
    [1, offset, seg.addr, seg.addr, seg.data.length, seg.memSize, flags, PAGE].forEach((v, k) => phdrs.writeUInt32LE(v >>> 0, o + 4 * k));
    headers.push({ name: shstr.add(seg.name), type: seg.data.length === 0 && seg.memSize > 0 ? 8 : 1, flags: sectionFlags(seg), addr: seg.addr,
      offset, size: seg.memSize, link: 0, info: 0, align: 4, entsize: 0 });
    offset += seg.data.length;
  });
  const place = (data: Uint8Array, align: number): number => {
    offset = Math.ceil(offset / align) * align;
    chunks.push({ offset, data });
    const at = offset;
    offset += data.length;
    return at;
  };
  const lines = debugLine(program.lines);
  if (lines) headers.push({ name: shstr.add('.debug_line'), type: 1, flags: 0, addr: 0, offset: place(lines, 1), size: lines.length, link: 0, info: 0, align: 1, entsize: 0 });
  const sym = symtab(program, strtab);
  const symtabIndex = headers.length + 1;
  headers.push({ name: shstr.add('.symtab'), type: 2, flags: 0, addr: 0, offset: place(sym.bytes, 4), size: sym.bytes.length, link: symtabIndex + 1, info: sym.firstGlobal, align: 4, entsize: 16 });
  const strBytes = strtab.bytes();
  headers.push({ name: shstr.add('.strtab'), type: 3, flags: 0, addr: 0, offset: place(strBytes, 1), size: strBytes.length, link: 0, info: 0, align: 1, entsize: 0 });
  const shstrName = shstr.add('.shstrtab');
  const shstrBytes = shstr.bytes();
  headers.push({ name: shstrName, type: 3, flags: 0, addr: 0, offset: place(shstrBytes, 1), size: shstrBytes.length, link: 0, info: 0, align: 1, entsize: 0 });
  const shoff = Math.ceil(offset / 4) * 4;
  const shnum = headers.length + 1;
  const out = Buffer.alloc(shoff + 40 * shnum);
  writeHeader(out, program, opts.rvc ?? rvcPrograms.get(program) ?? false, segs.length, shoff, shnum);
  phdrs.copy(out, 52);
  for (const c of chunks) out.set(c.data, c.offset);
  headers.forEach((h, i) => {
    const o = shoff + 40 * (i + 1);
    [h.name, h.type, h.flags, h.addr, h.offset, h.size, h.link, h.info, h.align, h.entsize].forEach((v, k) => out.writeUInt32LE(v >>> 0, o + 4 * k));
  });
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

function writeHeader(out: Buffer, program: Program, rvc: boolean, phnum: number, shoff: number, shnum: number): void {
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0], 0); // magic, ELFCLASS32, little endian, EV_CURRENT, SYSV
  out.writeUInt16LE(2, 16); // ET_EXEC
  out.writeUInt16LE(EM_RISCV, 18);
  out.writeUInt32LE(1, 20);
  out.writeUInt32LE(program.entry >>> 0, 24);
  out.writeUInt32LE(phnum ? 52 : 0, 28);
  out.writeUInt32LE(shoff, 32);
  out.writeUInt32LE(rvc ? EF_RISCV_RVC : 0, 36);
  out.writeUInt16LE(52, 40);
  out.writeUInt16LE(32, 42);
  out.writeUInt16LE(phnum, 44);
  out.writeUInt16LE(40, 46);
  out.writeUInt16LE(shnum, 48);
  out.writeUInt16LE(shnum - 1, 50);
}

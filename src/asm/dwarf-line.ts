// DWARF v4 .debug_line writer: encodes a Program's line table so GDB/objdump map addresses to source lines.
import type { LineRow } from '../machine/program';

const OPCODE_BASE = 13;
const STD_LENGTHS = [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1];
const DW_LNS_copy = 1, DW_LNS_advance_pc = 2, DW_LNS_advance_line = 3, DW_LNS_set_file = 4, DW_LNS_set_column = 5;
const DW_LNE_end_sequence = 1, DW_LNE_set_address = 2;

class Bytes {
  readonly b: number[] = [];
  u8(v: number): this { this.b.push(v & 0xff); return this; }
  u16(v: number): this { return this.u8(v).u8(v >> 8); }
  u32(v: number): this { return this.u16(v & 0xffff).u16(v >>> 16); }
  uleb(v: number): this {
    do { let byte = v & 0x7f; v = Math.floor(v / 128); if (v) byte |= 0x80; this.u8(byte); } while (v);
    return this;
  }
  sleb(v: number): this {
    for (;;) {
      const byte = v & 0x7f;
      v >>= 7;
      const done = (v === 0 && !(byte & 0x40)) || (v === -1 && (byte & 0x40) !== 0);
      this.u8(done ? byte : byte | 0x80);
      if (done) return this;
    }
  }
  str(s: string): this { for (const c of new TextEncoder().encode(s)) this.u8(c); return this.u8(0); }
  bytes(xs: number[]): this { for (const x of xs) this.u8(x); return this; }
}

function program(rows: LineRow[], fileIndex: Map<string, number>): number[] {
  const p = new Bytes();
  let state: { addr: number; line: number; file: number; col: number } | undefined;
  for (const r of rows) {
    if (!state) {
      p.u8(0).uleb(5).u8(DW_LNE_set_address).u32(r.addr);
      state = { addr: r.addr, line: 1, file: 1, col: 0 };
    }
    if (r.addr > state.addr) p.u8(DW_LNS_advance_pc).uleb(r.addr - state.addr);
    state.addr = r.addr;
    if (r.endSequence) { p.u8(0).uleb(1).u8(DW_LNE_end_sequence); state = undefined; continue; }
    const file = fileIndex.get(r.file)!;
    if (file !== state.file) { p.u8(DW_LNS_set_file).uleb(file); state.file = file; }
    if (r.line !== state.line) { p.u8(DW_LNS_advance_line).sleb(r.line - state.line); state.line = r.line; }
    if (r.column + 1 !== state.col) { p.u8(DW_LNS_set_column).uleb(r.column + 1); state.col = r.column + 1; }
    p.u8(DW_LNS_copy);
  }
  return p.b;
}

/** The .debug_line section for `lines` (sorted, with end-of-sequence rows), or undefined when empty. */
export function debugLine(lines: LineRow[]): Uint8Array | undefined {
  if (!lines.some((r) => !r.endSequence)) return undefined;
  const files = [...new Set(lines.filter((r) => !r.endSequence).map((r) => r.file))];
  const fileIndex = new Map(files.map((f, i) => [f, i + 1]));
  const header = new Bytes().u8(1).u8(1).u8(1).u8(-5).u8(14).u8(OPCODE_BASE).bytes(STD_LENGTHS).u8(0);
  for (const f of files) header.str(f).uleb(0).uleb(0).uleb(0);
  header.u8(0);
  const body = program(lines, fileIndex);
  const out = new Bytes().u32(2 + 4 + header.b.length + body.length).u16(4).u32(header.b.length);
  return Uint8Array.from([...out.b, ...header.b, ...body]);
}

// A WebAssembly binary writer: LEB128 numbers, the opcodes translated regions use, and the one module shape they need.

import { withRoom } from './byte-growth';

/** Opcodes (WebAssembly core specification 2.0, section 5.4). */
export const enum W {
  Unreachable = 0x00, Block = 0x02, Loop = 0x03, If = 0x04, Else = 0x05, End = 0x0b, Br = 0x0c, BrIf = 0x0d, Return = 0x0f,
  Call = 0x10, Select = 0x1b, CallIndirect = 0x11,
  LocalGet = 0x20, LocalSet = 0x21, LocalTee = 0x22,
  I32Load = 0x28, I32Load8S = 0x2c, I32Load8U = 0x2d, I32Load16S = 0x2e, I32Load16U = 0x2f,
  I32Store = 0x36, I32Store8 = 0x3a, I32Store16 = 0x3b,
  I32Const = 0x41, I64Const = 0x42,
  I32Eqz = 0x45, I32Eq = 0x46, I32Ne = 0x47, I32LtS = 0x48, I32LtU = 0x49, I32GtS = 0x4a, I32GtU = 0x4b, I32LeS = 0x4c, I32LeU = 0x4d, I32GeS = 0x4e, I32GeU = 0x4f,
  I32Add = 0x6a, I32Sub = 0x6b, I32Mul = 0x6c, I32DivS = 0x6d, I32DivU = 0x6e, I32RemS = 0x6f, I32RemU = 0x70,
  I32And = 0x71, I32Or = 0x72, I32Xor = 0x73, I32Shl = 0x74, I32ShrS = 0x75, I32ShrU = 0x76,
  I64Mul = 0x7e, I64ShrU = 0x88,
  I32WrapI64 = 0xa7, I64ExtendI32S = 0xac, I64ExtendI32U = 0xad,
}

/** Block types: no result, or one i32. */
export const VOID = 0x40;
export const I32 = 0x7f;

/** A growable byte buffer with the encodings of the binary format. */
export class WasmBytes {
  private buf = new Uint8Array(1024);
  length = 0;

  byte(b: number): this {
    if (this.length === this.buf.length) this.reserve(1);
    this.buf[this.length++] = b;
    return this;
  }

  op(o: W): this { return this.byte(o); }

  /** Unsigned LEB128. */
  u32(v: number): this {
    let x = v >>> 0;
    do {
      const b = x & 0x7f;
      x >>>= 7;
      this.byte(x === 0 ? b : b | 0x80);
    } while (x !== 0);
    return this;
  }

  /** Signed LEB128 of an int32. */
  s32(v: number): this {
    let x = v | 0;
    for (;;) {
      const b = x & 0x7f;
      x >>= 7;
      if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }

  i32(v: number): this { return this.op(W.I32Const).s32(v); }
  get(local: number): this { return this.op(W.LocalGet).u32(local); }
  set(local: number): this { return this.op(W.LocalSet).u32(local); }
  /** A load or store with its alignment (log2 bytes) and constant offset. */
  mem(o: W, alignLog2: number, offset: number): this { return this.op(o).u32(alignLog2).u32(offset); }

  bytes(b: Uint8Array | number[]): this {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** A length-prefixed copy of another buffer (a section's or a body's contents). */
  sized(inner: WasmBytes): this {
    return this.u32(inner.length).bytes(inner.view());
  }

  private reserve(more: number): void {
    this.buf = withRoom(this.buf, this.length, more);
  }

  name(s: string): this {
    this.u32(s.length);
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i));
    return this;
  }

  view(): Uint8Array { return this.buf.subarray(0, this.length); }
}

/** An import of a module: the memory, a funcref table, or a function of `params` i32s to an i32. */
export type Import = { name: string; kind: 'memory'; pages: number } | { name: string; kind: 'table'; size: number } | { name: string; kind: 'func'; params: number };

/** A module of one exported function `r` (params i32s to an i32, `locals` more i32s), its imports all from module `e`. */
export interface ModuleShape {
  imports: Import[];
  params: number;
  locals: number;
  /** Instructions, without the final `end`. */
  code: WasmBytes;
}

/** Function types: an imported function's (i32s to an i32) then the exported one's; type 0 is also what call_indirect uses. */
export function oneFunctionModule(f: ModuleShape): Uint8Array {
  const m = new WasmBytes().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const section = (id: number, body: WasmBytes): void => { m.byte(id).sized(body); };
  const fnType = (params: number): number[] => [0x60, params, ...new Array<number>(params).fill(I32), 1, I32];
  const funcImports = f.imports.filter((i) => i.kind === 'func');
  const types = [fnType(1), ...funcImports.map((i) => fnType(i.kind === 'func' ? i.params : 0)), fnType(f.params)];
  const typeSec = new WasmBytes().u32(types.length);
  for (const t of types) typeSec.bytes(t);
  section(1, typeSec);
  const importSec = new WasmBytes().u32(f.imports.length);
  let fnTypeIndex = 1;
  for (const i of f.imports) {
    importSec.name('e').name(i.name);
    if (i.kind === 'memory') importSec.byte(0x02).byte(0x00).u32(i.pages);
    else if (i.kind === 'table') importSec.byte(0x01).byte(0x70).byte(0x00).u32(i.size);
    else importSec.byte(0x00).u32(fnTypeIndex++);
  }
  section(2, importSec);
  section(3, new WasmBytes().u32(1).u32(types.length - 1));
  section(7, new WasmBytes().u32(1).name('r').byte(0x00).u32(funcImports.length));
  // A body: its local declarations, its code, `end`.
  const body = new WasmBytes().u32(f.locals > 0 ? 1 : 0);
  if (f.locals > 0) body.u32(f.locals).byte(I32);
  body.bytes(f.code.view()).op(W.End);
  section(10, new WasmBytes().u32(1).sized(body));
  return m.view().slice();
}

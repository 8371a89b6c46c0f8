// Flattened device tree (devicetree specification v0.4, FDT version 17): a tree of nodes and properties written as the blob a kernel reads.

/** A property value: a string, a list of strings, cells (32-bit big-endian words), raw bytes, or empty (a flag). */
export type FdtValue = string | string[] | number[] | Uint8Array | true;

export interface FdtNode {
  /** Node name with unit address (`cpu@0`); the root's name is empty. */
  name: string;
  props: [string, FdtValue][];
  children: FdtNode[];
}

const FDT_MAGIC = 0xd00dfeed;
const FDT_VERSION = 17;
const FDT_LAST_COMP_VERSION = 16;
const FDT_BEGIN_NODE = 1, FDT_END_NODE = 2, FDT_PROP = 3, FDT_END = 9;
const HEADER_BYTES = 40;
const RESERVE_MAP_BYTES = 16; // one terminating (address 0, size 0) entry: no reserved memory
/** Nodes deeper than this are a bug in the caller (a device tree is a few levels deep). */
const DEPTH_MAX = 16;

export function node(name: string, props: [string, FdtValue][] = [], children: FdtNode[] = []): FdtNode {
  return { name, props, children };
}

/** Bytes of a property value as the blob stores it. */
function valueBytes(v: FdtValue): Uint8Array {
  if (v === true) return new Uint8Array(0);
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return stringsBytes([v]);
  if (v.length > 0 && typeof v[0] === 'string') return stringsBytes(v as string[]);
  const cells = v as number[];
  const out = new Uint8Array(cells.length * 4);
  const view = new DataView(out.buffer);
  cells.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c > 0xffff_ffff) throw new Error(`device tree cell ${c} is not a 32-bit unsigned integer`);
    view.setUint32(i * 4, c);
  });
  return out;
}

function stringsBytes(strings: string[]): Uint8Array {
  const parts = strings.map((s) => {
    if (s.includes('\u0000') || /[^\x20-\x7e]/.test(s)) throw new Error(`device tree string ${JSON.stringify(s)} must be printable ASCII`);
    return s + '\u0000';
  });
  return new Uint8Array([...parts.join('')].map((c) => c.charCodeAt(0)));
}

/** Appends big-endian words and padded byte runs. */
class BlobWriter {
  private bytes: number[] = [];
  get length(): number { return this.bytes.length; }
  word(w: number): void { this.bytes.push((w >>> 24) & 0xff, (w >>> 16) & 0xff, (w >>> 8) & 0xff, w & 0xff); }
  padded(data: Uint8Array): void {
    for (const b of data) this.bytes.push(b);
    while (this.bytes.length % 4 !== 0) this.bytes.push(0);
  }
  done(): Uint8Array { return Uint8Array.from(this.bytes); }
}

/** The blob for `root` (FDT version 17, no memory reservations, booting CPU 0). */
export function writeFdt(root: FdtNode): Uint8Array {
  if (root.name !== '') throw new Error('the device tree root must have an empty name');
  const struct = new BlobWriter();
  const strings: string[] = [];
  const stringOffset = new Map<string, number>();
  let stringsLength = 0;
  const nameOffset = (name: string): number => {
    let off = stringOffset.get(name);
    if (off === undefined) {
      off = stringsLength;
      stringOffset.set(name, off);
      strings.push(name);
      stringsLength += name.length + 1;
    }
    return off;
  };
  const walk = (n: FdtNode, depth: number): void => {
    if (depth > DEPTH_MAX) throw new Error(`device tree deeper than ${DEPTH_MAX} levels`);
    struct.word(FDT_BEGIN_NODE);
    struct.padded(stringsBytes([n.name]));
    for (const [name, value] of n.props) {
      const data = valueBytes(value);
      struct.word(FDT_PROP);
      struct.word(data.length);
      struct.word(nameOffset(name));
      struct.padded(data);
    }
    for (const child of n.children) walk(child, depth + 1);
    struct.word(FDT_END_NODE);
  };
  walk(root, 0);
  struct.word(FDT_END);
  const structBytes = struct.done();
  const stringBytes = stringsBytes(strings.length === 0 ? [] : strings);
  const offStruct = HEADER_BYTES + RESERVE_MAP_BYTES;
  const offStrings = offStruct + structBytes.length;
  const total = offStrings + stringBytes.length;
  const blob = new BlobWriter();
  for (const w of [FDT_MAGIC, total, offStruct, offStrings, HEADER_BYTES, FDT_VERSION, FDT_LAST_COMP_VERSION, 0, stringBytes.length, structBytes.length]) blob.word(w);
  blob.padded(new Uint8Array(RESERVE_MAP_BYTES));
  blob.padded(structBytes);
  const out = new Uint8Array(total);
  out.set(blob.done(), 0);
  out.set(stringBytes, offStrings);
  return out;
}

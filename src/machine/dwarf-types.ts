// The C type model read from .debug_info (base, pointer, qualifiers, typedef, struct/union, array, enum, function) and its builder.

import { ProgramFormatError } from './elf-bytes';
import { DW_AT, DW_ATE, DW_TAG } from './dwarf-const';
import type { Die } from './dwarf-die';
import type { Unit } from './dwarf-unit';
import { attrFlag, attrNumber, attrRef, attrSigned, attrString, type DieSource } from './dwarf-attr';
import { evaluateExpression } from './dwarf-expr';

export type BaseEncoding =
  | 'signed' | 'unsigned' | 'signedChar' | 'unsignedChar' | 'boolean' | 'float' | 'complexFloat' | 'address' | 'utf' | 'other';

interface TypeCommon {
  /** .debug_info offset of the entry it was read from (inner dimensions of an array share their array's). */
  offset: number;
}

export interface BaseType extends TypeCommon {
  kind: 'base';
  name: string;
  size: number;
  encoding: BaseEncoding;
}

export interface PointerType extends TypeCommon {
  kind: 'pointer';
  size: number;
  /** undefined: void *. */
  target: DwarfType | undefined;
  /** A C++ reference rather than a pointer. */
  reference: boolean;
}

export interface QualifiedType extends TypeCommon {
  kind: 'qualified';
  qualifier: 'const' | 'volatile' | 'restrict' | 'atomic';
  target: DwarfType | undefined;
}

export interface TypedefType extends TypeCommon {
  kind: 'typedef';
  name: string;
  target: DwarfType | undefined;
}

export interface Member {
  /** undefined for an anonymous struct or union member. */
  name: string | undefined;
  type: DwarfType;
  /** Byte offset in the enclosing struct (for a bit field: of the byte holding its first bit). */
  offset: number;
  /** Bit fields: first bit counted from bit 0 of the enclosing struct (little-endian order), and width. */
  bitOffset?: number;
  bitSize?: number;
}

export interface StructType extends TypeCommon {
  kind: 'struct' | 'union' | 'class';
  name: string | undefined;
  /** undefined for an incomplete (declared only) type. */
  size: number | undefined;
  members: Member[];
  declaration: boolean;
}

/** One dimension; a multi-dimensional C array is an array of arrays. */
export interface ArrayType extends TypeCommon {
  kind: 'array';
  element: DwarfType;
  lowerBound: number;
  /** undefined when the bound is unknown (`char tail[]`, variable-length arrays). */
  count: number | undefined;
}

export interface Enumerator {
  name: string;
  value: number;
}

export interface EnumType extends TypeCommon {
  kind: 'enum';
  name: string | undefined;
  size: number;
  signed: boolean;
  underlying: DwarfType | undefined;
  enumerators: Enumerator[];
  declaration: boolean;
}

export interface FunctionType extends TypeCommon {
  kind: 'function';
  /** undefined: void. */
  returnType: DwarfType | undefined;
  params: DwarfType[];
  variadic: boolean;
  prototyped: boolean;
}

/** A type this reader cannot describe (unsupported tag, broken reference, cycle): show `reason`, never guess. */
export interface UnknownType extends TypeCommon {
  kind: 'unknown';
  name?: string;
  reason: string;
}

export type DwarfType =
  | BaseType | PointerType | QualifiedType | TypedefType | StructType | ArrayType | EnumType | FunctionType | UnknownType;

/** Deepest chain of types built at once (a typedef of an array of pointers to ...). */
const MAX_TYPE_DEPTH = 64;

const QUALIFIERS: Record<number, QualifiedType['qualifier']> = {
  [DW_TAG.constType]: 'const', [DW_TAG.volatileType]: 'volatile', [DW_TAG.restrictType]: 'restrict', [DW_TAG.atomicType]: 'atomic',
};

const ENCODINGS: Record<number, BaseEncoding> = {
  [DW_ATE.signed]: 'signed', [DW_ATE.unsigned]: 'unsigned', [DW_ATE.signedChar]: 'signedChar',
  [DW_ATE.unsignedChar]: 'unsignedChar', [DW_ATE.boolean]: 'boolean', [DW_ATE.float]: 'float',
  [DW_ATE.complexFloat]: 'complexFloat', [DW_ATE.address]: 'address', [DW_ATE.utf]: 'utf',
};

export function unknownType(offset: number, reason: string, name?: string): UnknownType {
  return name === undefined ? { kind: 'unknown', offset, reason } : { kind: 'unknown', offset, reason, name };
}

/** Builds types on demand and keeps them by entry offset; struct and union types break reference cycles. */
export class TypeTable {
  private readonly done = new Map<number, DwarfType>();
  private readonly active = new Set<number>();

  constructor(private readonly src: DieSource) {}

  /** The type an entry's DW_AT_type names; undefined when it has none (void). */
  typeOf(die: Die): DwarfType | undefined {
    if (!die.has(DW_AT.type)) return undefined;
    const offset = attrRef(this.src, die, DW_AT.type);
    return offset === undefined ? unknownType(die.offset, 'its type reference cannot be followed') : this.at(offset);
  }

  /** The type whose entry is at `offset`. */
  at(offset: number): DwarfType {
    const hit = this.done.get(offset);
    if (hit !== undefined) return hit;
    if (this.active.has(offset)) return unknownType(offset, 'the type refers to itself');
    if (this.active.size >= MAX_TYPE_DEPTH) return unknownType(offset, `types nest deeper than ${MAX_TYPE_DEPTH} levels`);
    const found = this.src.entry(offset);
    if (found === undefined) return unknownType(offset, 'no readable entry at its offset');
    this.active.add(offset);
    try {
      const t = this.build(found.die, found.unit);
      this.done.set(offset, t);
      return t;
    } catch (e) {
      if (!(e instanceof ProgramFormatError)) throw e;
      const t = unknownType(offset, e.message);
      this.done.set(offset, t);
      return t;
    } finally {
      this.active.delete(offset);
    }
  }

  /** The type of an entry that must have one: a missing DW_AT_type becomes an unknown type. */
  private required(die: Die): DwarfType {
    return this.typeOf(die) ?? unknownType(die.offset, 'it has no type');
  }

  private build(die: Die, unit: Unit): DwarfType {
    const name = attrString(die, DW_AT.name);
    const qualifier = QUALIFIERS[die.tag];
    if (qualifier !== undefined) return { kind: 'qualified', offset: die.offset, qualifier, target: this.typeOf(die) };
    switch (die.tag) {
      case DW_TAG.baseType:
        return { kind: 'base', offset: die.offset, name: name ?? '?', size: attrNumber(die, DW_AT.byteSize) ?? 0, encoding: ENCODINGS[attrNumber(die, DW_AT.encoding) ?? 0] ?? 'other' };
      case DW_TAG.pointerType: case DW_TAG.referenceType: case DW_TAG.rvalueReferenceType:
        return { kind: 'pointer', offset: die.offset, size: attrNumber(die, DW_AT.byteSize) ?? unit.addrSize, target: this.typeOf(die), reference: die.tag !== DW_TAG.pointerType };
      case DW_TAG.typedef:
        return { kind: 'typedef', offset: die.offset, name: name ?? '?', target: this.typeOf(die) };
      case DW_TAG.structureType: case DW_TAG.unionType: case DW_TAG.classType:
        return this.buildStruct(die, name, unit.version);
      case DW_TAG.arrayType: return this.buildArray(die);
      case DW_TAG.enumerationType: return this.buildEnum(die, name);
      case DW_TAG.subroutineType: return this.buildFunction(die);
      case DW_TAG.unspecifiedType: return unknownType(die.offset, 'unspecified type', name);
    }
    return unknownType(die.offset, `entries with tag 0x${die.tag.toString(16)} are not types this reader knows`, name);
  }

  private buildStruct(die: Die, name: string | undefined, version: number): StructType {
    const kind = die.tag === DW_TAG.unionType ? 'union' : die.tag === DW_TAG.classType ? 'class' : 'struct';
    const t: StructType = {
      kind, offset: die.offset, name, size: attrNumber(die, DW_AT.byteSize), members: [], declaration: attrFlag(die, DW_AT.declaration),
    };
    this.done.set(die.offset, t); // members may point back at the struct
    for (const child of die.children) {
      if (child.tag === DW_TAG.member) t.members.push(this.member(child, version));
    }
    return t;
  }

  private member(die: Die, version: number): Member {
    const name = attrString(die, DW_AT.name);
    let offset: number;
    try {
      offset = memberOffset(die, version);
    } catch (e) {
      if (!(e instanceof ProgramFormatError)) throw e;
      return { name, type: unknownType(die.offset, e.message), offset: 0 };
    }
    const type = this.required(die);
    const m: Member = { name, type, offset };
    const bitSize = attrNumber(die, DW_AT.bitSize);
    if (bitSize === undefined) return m;
    const dataBitOffset = attrNumber(die, DW_AT.dataBitOffset);
    const oldBitOffset = attrNumber(die, DW_AT.bitOffset);
    let bitOffset = offset * 8;
    if (dataBitOffset !== undefined) bitOffset = dataBitOffset;
    else if (oldBitOffset !== undefined) {
      // DWARF 2–4: bits from the most significant end of a storage unit of byte_size bytes.
      const storage = attrNumber(die, DW_AT.byteSize) ?? storageSize(type);
      bitOffset = offset * 8 + storage * 8 - oldBitOffset - bitSize;
    }
    if (bitOffset < 0) return { ...m, type: unknownType(die.offset, 'its bit field lies before the start of the struct') };
    return { ...m, offset: Math.floor(bitOffset / 8), bitOffset, bitSize };
  }

  private buildArray(die: Die): DwarfType {
    const dims = die.children.filter((c) => c.tag === DW_TAG.subrangeType || c.tag === DW_TAG.enumerationType);
    if ([die, ...dims].some((d) => d.has(DW_AT.byteStride) || d.has(DW_AT.bitStride))) {
      return unknownType(die.offset, 'arrays with a stride other than their element size are not supported');
    }
    const element = this.required(die);
    if (dims.length === 0) return { kind: 'array', offset: die.offset, element, lowerBound: 0, count: undefined };
    let t: DwarfType = element;
    for (let i = dims.length - 1; i >= 0; i--) {
      const { lowerBound, count } = this.bounds(dims[i]);
      t = { kind: 'array', offset: die.offset, element: t, lowerBound, count };
    }
    return t;
  }

  /** Constant bounds of a subrange; a bound given as an expression or a variable leaves the count unknown. */
  private bounds(sub: Die): { lowerBound: number; count: number | undefined } {
    const index = sub.has(DW_AT.type) ? this.typeOf(sub) : undefined;
    const signed = index !== undefined && isSigned(index);
    const read = (at: number): number | undefined => (signed ? attrSigned(sub, at) : attrNumber(sub, at));
    const lowerBound = read(DW_AT.lowerBound) ?? 0;
    const count = attrNumber(sub, DW_AT.count);
    if (count !== undefined) return { lowerBound, count };
    let upper = read(DW_AT.upperBound);
    if (upper === undefined) return { lowerBound, count: undefined };
    const v = sub.get(DW_AT.upperBound);
    // Older GCC wrote a zero-length array's upper bound as an unsigned -1 (0xffffffff).
    if (!signed && v?.kind === 'data' && v.bytes.length >= 4 && v.bytes.every((b) => b === 0xff)) upper = -1;
    return { lowerBound, count: Math.max(0, upper - lowerBound + 1) };
  }

  private buildEnum(die: Die, name: string | undefined): EnumType {
    const underlying = this.typeOf(die);
    const encoding = attrNumber(die, DW_AT.encoding);
    const kids = die.children.filter((c) => c.tag === DW_TAG.enumerator);
    const signed = encoding !== undefined ? encoding === DW_ATE.signed || encoding === DW_ATE.signedChar
      : underlying !== undefined ? isSigned(underlying)
        : kids.some((k) => k.get(DW_AT.constValue)?.kind === 'sdata' && (attrNumber(k, DW_AT.constValue) ?? 0) < 0);
    const enumerators = kids.map((k) => ({
      name: attrString(k, DW_AT.name) ?? '?',
      value: (signed ? attrSigned(k, DW_AT.constValue) : attrNumber(k, DW_AT.constValue)) ?? 0,
    }));
    return {
      kind: 'enum', offset: die.offset, name, size: attrNumber(die, DW_AT.byteSize) ?? 4, signed, underlying, enumerators,
      declaration: attrFlag(die, DW_AT.declaration),
    };
  }

  private buildFunction(die: Die): FunctionType {
    const params = die.children.filter((c) => c.tag === DW_TAG.formalParameter).map((c) => this.required(c));
    return {
      kind: 'function', offset: die.offset, returnType: this.typeOf(die), params,
      variadic: die.children.some((c) => c.tag === DW_TAG.unspecifiedParameters), prototyped: attrFlag(die, DW_AT.prototyped),
    };
  }
}

/**
 * DW_AT_data_member_location: a constant, or (DWARF 2) an expression run on the struct's address 0.
 * Location lists (and DWARF 2–3 data4/data8, which mean one) are refused: they need an object.
 */
function memberOffset(die: Die, version: number): number {
  const v = die.get(DW_AT.dataMemberLocation);
  if (v === undefined) return 0;
  const where = `DWARF: member at 0x${die.offset.toString(16)}`;
  if (v.kind === 'block') {
    const loc = evaluateExpression(v.value, { reg: () => undefined, readMemory: () => undefined, cfa: () => undefined }, { initialStack: [0] });
    if (loc.kind !== 'memory') throw new ProgramFormatError(`${where} has a location this reader cannot use`);
    return loc.addr;
  }
  const listLike = v.kind === 'secOffset' || v.kind === 'loclistx' || (v.kind === 'data' && version < 4 && v.bytes.length >= 4);
  const n = attrNumber(die, DW_AT.dataMemberLocation);
  if (listLike || n === undefined) throw new ProgramFormatError(`${where}: member offsets that depend on the object are not supported`);
  return n;
}

/** The type under its typedefs and qualifiers (undefined: void, or a chain too long to follow). */
export function stripTypedefs(t: DwarfType | undefined): DwarfType | undefined {
  let cur = t;
  for (let i = 0; i < MAX_TYPE_DEPTH && (cur?.kind === 'typedef' || cur?.kind === 'qualified'); i++) cur = cur.target;
  return cur?.kind === 'typedef' || cur?.kind === 'qualified' ? undefined : cur;
}

/** Byte size of a bit field's declared type (its storage unit in DWARF 2–4). */
function storageSize(t: DwarfType): number {
  const s = stripTypedefs(t);
  return s?.kind === 'base' || s?.kind === 'enum' ? s.size : 4;
}

function isSigned(t: DwarfType): boolean {
  const s = stripTypedefs(t);
  return s?.kind === 'base' ? s.encoding === 'signed' || s.encoding === 'signedChar' : s?.kind === 'enum' ? s.signed : false;
}

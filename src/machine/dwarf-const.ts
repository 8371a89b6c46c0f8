// DWARF 2–5 numeric constants the .debug_info reader uses: tags, attributes, forms, unit types, encodings, list entries.

export const DW_TAG = {
  arrayType: 0x01, classType: 0x02, enumerationType: 0x04, formalParameter: 0x05, lexicalBlock: 0x0b,
  member: 0x0d, pointerType: 0x0f, referenceType: 0x10, compileUnit: 0x11, structureType: 0x13,
  subroutineType: 0x15, typedef: 0x16, unionType: 0x17, unspecifiedParameters: 0x18, inlinedSubroutine: 0x1d,
  subrangeType: 0x21, baseType: 0x24, constType: 0x26, enumerator: 0x28, subprogram: 0x2e, variable: 0x34,
  volatileType: 0x35, restrictType: 0x37, partialUnit: 0x3c, unspecifiedType: 0x3b, sharedType: 0x40,
  typeUnit: 0x41, rvalueReferenceType: 0x42, atomicType: 0x47, callSite: 0x48, callSiteParameter: 0x49,
  gnuCallSite: 0x4109, gnuCallSiteParameter: 0x410a,
} as const;

export const DW_AT = {
  sibling: 0x01, location: 0x02, name: 0x03, byteSize: 0x0b, bitOffset: 0x0c, bitSize: 0x0d,
  stmtList: 0x10, lowPc: 0x11, highPc: 0x12, language: 0x13, compDir: 0x1b, constValue: 0x1c, inline: 0x20,
  producer: 0x25, prototyped: 0x27, lowerBound: 0x22, count: 0x37, upperBound: 0x2f, abstractOrigin: 0x31,
  byteStride: 0x51, bitStride: 0x2e, artificial: 0x34, dataMemberLocation: 0x38, declColumn: 0x39, declFile: 0x3a, declLine: 0x3b,
  declaration: 0x3c, encoding: 0x3e, external: 0x3f, frameBase: 0x40, specification: 0x47, type: 0x49,
  ranges: 0x55, entryPc: 0x52, callColumn: 0x57, callFile: 0x58, callLine: 0x59, dataBitOffset: 0x6b,
  linkageName: 0x6e, strOffsetsBase: 0x72, addrBase: 0x73, rnglistsBase: 0x74, callReturnPc: 0x7d, callValue: 0x7e,
  callOrigin: 0x7f, callTailCall: 0x82, callTarget: 0x83, callDataValue: 0x86, loclistsBase: 0x8c,
  mipsLinkageName: 0x2007, gnuCallSiteValue: 0x2111, gnuCallSiteDataValue: 0x2112, gnuCallSiteTarget: 0x2113,
  gnuTailCall: 0x2115,
} as const;

export const DW_FORM = {
  addr: 0x01, block2: 0x03, block4: 0x04, data2: 0x05, data4: 0x06, data8: 0x07, string: 0x08, block: 0x09,
  block1: 0x0a, data1: 0x0b, flag: 0x0c, sdata: 0x0d, strp: 0x0e, udata: 0x0f, refAddr: 0x10, ref1: 0x11,
  ref2: 0x12, ref4: 0x13, ref8: 0x14, refUdata: 0x15, indirect: 0x16, secOffset: 0x17, exprloc: 0x18,
  flagPresent: 0x19, strx: 0x1a, addrx: 0x1b, refSup4: 0x1c, strpSup: 0x1d, data16: 0x1e, lineStrp: 0x1f,
  refSig8: 0x20, implicitConst: 0x21, loclistx: 0x22, rnglistx: 0x23, refSup8: 0x24, strx1: 0x25,
  strx2: 0x26, strx3: 0x27, strx4: 0x28, addrx1: 0x29, addrx2: 0x2a, addrx3: 0x2b, addrx4: 0x2c,
  gnuAddrIndex: 0x1f01, gnuStrIndex: 0x1f02, gnuRefAlt: 0x1f20, gnuStrpAlt: 0x1f21,
} as const;

/** Unit types of DWARF 5 unit headers (earlier versions have only compile units). */
export const DW_UT = { compile: 1, type: 2, partial: 3, skeleton: 4, splitCompile: 5, splitType: 6 } as const;

/** Base type encodings (DW_AT_encoding). */
export const DW_ATE = {
  address: 0x1, boolean: 0x2, complexFloat: 0x3, float: 0x4, signed: 0x5, signedChar: 0x6, unsigned: 0x7,
  unsignedChar: 0x8, utf: 0x10,
} as const;

/** DWARF 5 .debug_rnglists entry kinds. */
export const DW_RLE = {
  endOfList: 0, baseAddressx: 1, startxEndx: 2, startxLength: 3, offsetPair: 4, baseAddress: 5, startEnd: 6,
  startLength: 7,
} as const;

/** DWARF 5 .debug_loclists entry kinds (DW_LLE_GNU_view_pair 9 is GCC's extension). */
export const DW_LLE = {
  endOfList: 0, baseAddressx: 1, startxEndx: 2, startxLength: 3, offsetPair: 4, defaultLocation: 5,
  baseAddress: 6, startEnd: 7, startLength: 8, gnuViewPair: 9,
} as const;

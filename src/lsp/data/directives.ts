// Assembler directive reference data (the ones src/asm implements), for completion and hover.

const DOCS: Record<string, string> = {
  '.text': 'switch to the .text section (code)', '.data': 'switch to the .data section', '.rodata': 'switch to the .rodata section',
  '.bss': 'switch to the .bss section (zeroed storage)', '.section': '.section name[, "flags"]: switch to a named section',
  '.pushsection': 'switch section, remembering the current one', '.popsection': 'return to the section before .pushsection',
  '.previous': 'return to the previous section', '.globl': 'make symbols global', '.global': 'make symbols global',
  '.weak': 'make symbols weak (global here)', '.local': 'make symbols local', '.type': '.type sym, @function|@object',
  '.size': '.size sym, expr: set a symbol size', '.equ': '.equ name, expr: define a constant (redefinable)',
  '.set': '.set name, expr: define a constant (redefinable)', '.equiv': '.equiv name, expr: define a constant once',
  '.byte': 'emit bytes', '.half': 'emit 16-bit values', '.short': 'emit 16-bit values', '.2byte': 'emit 16-bit values',
  '.word': 'emit 32-bit values', '.long': 'emit 32-bit values', '.int': 'emit 32-bit values', '.4byte': 'emit 32-bit values',
  '.dword': 'emit 64-bit values', '.quad': 'emit 64-bit values', '.8byte': 'emit 64-bit values',
  '.comm': '.comm sym, size[, align]: global zeroed storage in .bss', '.lcomm': '.lcomm sym, size[, align]: local zeroed storage in .bss',
  '.uleb128': 'emit unsigned LEB128 values', '.sleb128': 'emit signed LEB128 values', '.ascii': 'emit strings (no NUL)',
  '.asciz': 'emit NUL-terminated strings', '.string': 'emit NUL-terminated strings', '.zero': '.zero n: emit n zero bytes',
  '.space': '.space n[, fill]: emit n bytes', '.skip': '.skip n[, fill]: emit n bytes', '.fill': '.fill repeat[, size[, value]]',
  '.org': '.org offset[, fill]: advance to an offset in the section', '.align': '.align p2[, fill[, max]]: align to 2^p2 bytes',
  '.p2align': '.p2align p2[, fill[, max]]: align to 2^p2 bytes', '.balign': '.balign bytes[, fill[, max]]: align to bytes',
  '.option': '.option rvc|norvc|push|pop|relax|norelax|...', '.attribute': '.attribute arch, "rv32imac": set the ISA',
  '.end': 'stop assembling', '.macro': '.macro name args…: start a macro definition', '.endm': 'end a macro',
  '.rept': '.rept n: repeat a block', '.endr': 'end a .rept/.irp/.irpc block', '.irp': '.irp sym, values…: repeat per value',
  '.irpc': '.irpc sym, chars: repeat per character', '.exitm': 'leave a macro early', '.if': '.if expr: assemble when non-zero',
  '.ifdef': '.ifdef sym', '.ifndef': '.ifndef sym', '.else': 'else branch of .if', '.elseif': '.elseif expr', '.endif': 'end of .if',
  '.file': 'accepted and ignored', '.ident': 'accepted and ignored', '.loc': 'accepted and ignored', '.extern': 'accepted and ignored',
};

export function directiveDoc(name: string): string | undefined {
  return DOCS[name.toLowerCase()];
}

export function directiveNames(): string[] {
  return Object.keys(DOCS);
}

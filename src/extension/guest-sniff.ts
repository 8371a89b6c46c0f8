// Pure test of whether an untyped assembly document is RISC-V (no `vscode` import): which plain-text .s files Lockstep claims.

/** Names of assembly sources (GNU as, any architecture). */
const ASM_NAME = /\.(s|S|asm)$/;

/** Mnemonics of RV32IMAC, Zicsr, Zifencei and the GNU as pseudo-instructions (lower case). */
const RISCV_MNEMONICS = new Set(`
  lui auipc jal jalr beq bne blt bge bltu bgeu lb lh lw lbu lhu sb sh sw addi slti sltiu xori ori andi slli srli srai
  add sub sll slt sltu xor srl sra or and fence fence.i ecall ebreak mret sret wfi uret
  csrrw csrrs csrrc csrrwi csrrsi csrrci csrr csrw csrs csrc csrwi csrsi csrci
  mul mulh mulhsu mulhu div divu rem remu
  lr.w sc.w amoswap.w amoadd.w amoxor.w amoand.w amoor.w amomin.w amomax.w amominu.w amomaxu.w
  li la lla mv not neg seqz snez sltz sgtz beqz bnez blez bgez bltz bgtz bgt ble bgtu bleu j jr ret call tail nop
  c.addi c.li c.lw c.sw c.j c.jr c.mv c.add c.nop
`.trim().split(/\s+/));

/** Mnemonics only RISC-V has among the usual `.s` dialects (x86, ARM, AArch64 share `add`, `ret`, `call`…). */
const DISTINCTIVE = new Set(['li', 'la', 'lla', 'lui', 'auipc', 'addi', 'jal', 'jalr', 'beqz', 'bnez', 'ecall', 'ebreak', 'mret', 'wfi',
  'csrr', 'csrw', 'csrrw', 'csrrs', 'csrs', 'csrc', 'lw', 'sw', 'lbu', 'sb', 'mv', 'slli', 'srli', 'andi', 'ori']);

/** x86 AT&T registers: the clearest sign of another architecture (RISC-V's `%hi(`/`%lo(` are not registers). */
const X86_REGISTER = /%(?:[re]?[abcd]x|[re]?[sd]i|[re]?[sb]p|r\d+[dwb]?|[abcd][hl])\b/;

/** The mnemonic of one source line, lower case; undefined for blank, comment, directive and label-only lines. */
export function mnemonicOf(line: string): string | undefined {
  const code = line.replace(/(^|\s)(#|\/\/|;).*$/, '$1').replace(/^\s*(?:[A-Za-z_.$][\w.$]*|\d+):/, '').trim();
  if (code === '' || code.startsWith('.')) return undefined;
  return /^[A-Za-z][\w.]*/.exec(code)?.[0].toLowerCase();
}

/**
 * True when `text` reads as RISC-V assembly: among its first 400 instruction lines at least 70 % are RISC-V
 * mnemonics, at least one of them is a RISC-V-only one, and no x86 register appears.
 */
export function looksLikeRiscv(text: string): boolean {
  let total = 0;
  let known = 0;
  let distinctive = false;
  for (const line of text.split(/\r?\n/, 4000)) {
    if (X86_REGISTER.test(line.replace(/(^|\s)(#|\/\/).*$/, '$1'))) return false;
    const m = mnemonicOf(line);
    if (m === undefined) continue;
    total++;
    if (RISCV_MNEMONICS.has(m)) known++;
    if (DISTINCTIVE.has(m)) distinctive = true;
    if (total >= 400) break;
  }
  return total > 0 && distinctive && known / total >= 0.7;
}

/** What Lockstep needs to know of an open document to decide whether to claim it. */
export interface DocumentFacts {
  languageId: string;
  fileName: string;
  text: string;
}

/**
 * Claim a document for `lockstep-asm` only when VS Code found no language for it (Plain Text), its name is an
 * assembly source's and its content is RISC-V: another extension's `.s` (x86, ARM) is never taken.
 */
export function claimsDocument(d: DocumentFacts): boolean {
  return d.languageId === 'plaintext' && ASM_NAME.test(d.fileName) && looksLikeRiscv(d.text);
}

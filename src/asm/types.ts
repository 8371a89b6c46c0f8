// Public result types of the assembler: diagnostics, listing rows and the assemble() options/result.
import type { Program } from '../machine/program';

export interface AsmDiagnostic {
  severity: 'error' | 'warning';
  message: string;
  file: string;
  /** 1-based lines, 0-based columns (endColumn exclusive). */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** One emitted statement (instruction or data) with its address and bytes. */
export interface ListingRow {
  line: number;
  section: string;
  addr: number;
  bytes: Uint8Array;
}

/** Where a symbol is defined (labels, .equ/.set/=), for go-to-definition and hovers. */
export interface SymbolDefinition {
  name: string;
  kind: 'label' | 'constant';
  line: number;
  column: number;
  endColumn: number;
  /** Address (labels) or value (constants), when known. */
  value?: number;
}

export interface AsmOptions {
  fileName?: string;
  textBase?: number;
  rvc?: boolean;
}

export interface AsmResult {
  ok: boolean;
  diagnostics: AsmDiagnostic[];
  program?: Program;
  listing?: ListingRow[];
  /** True when at least one compressed (16-bit) instruction was emitted. */
  usesRvc?: boolean;
  /** Symbol definitions in source order (numeric local labels excluded). */
  definitions?: SymbolDefinition[];
}

/** A source span on one line: 1-based line, 0-based [col, end). */
export interface Span {
  line: number;
  col: number;
  end: number;
}

/** An error tied to a source span; thrown inside the assembler only, always caught per statement. */
export class AsmError extends Error {
  constructor(message: string, readonly span: Span) {
    super(message);
  }
}

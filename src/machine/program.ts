// A loadable guest program, whatever it came from (our assembler or an ELF): segments, symbols, line map.

export interface Segment {
  /** Guest physical address of the first byte. */
  addr: number;
  /** Initialised bytes (file contents). */
  data: Uint8Array;
  /** Size in memory (>= data.length; the rest is zero, like .bss). */
  memSize: number;
  /** Section or segment name, for messages. */
  name: string;
  executable: boolean;
}

export interface ProgramSymbol {
  name: string;
  addr: number;
  size: number;
  kind: 'func' | 'object' | 'label';
  global: boolean;
}

/** One row of the line table: from `addr` up to the next row's address, code belongs to file:line. */
export interface LineRow {
  addr: number;
  /** Path as recorded (absolute, or relative to the compilation directory). */
  file: string;
  line: number;
  column: number;
  isStmt: boolean;
  /** First address after a sequence (no code of this sequence at or after it). */
  endSequence: boolean;
  /** The compiler marked this row as the end of its function's prologue (DW_LNS_set_prologue_end). */
  prologueEnd?: boolean;
}

export interface Program {
  entry: number;
  segments: Segment[];
  symbols: ProgramSymbol[];
  /** Sorted by address. */
  lines: LineRow[];
  /** HTIF mailbox addresses when the program defines `tohost`/`fromhost`. */
  tohost?: number;
  fromhost?: number;
  /** Where it came from, for messages. */
  origin: string;
  /** Problems that did not stop loading (e.g. an unreadable DWARF line table). */
  warnings?: string[];
  /**
   * The initial contents of the VM's disk, when the program carries them (an ELF's `.lockstep.disk` section, not
   * loaded into RAM): whole 512-byte sectors from sector 0, as a VM template carries its disk.
   */
  diskImage?: Uint8Array;
}

/** The ELF section that carries a program's disk image. */
export const DISK_IMAGE_SECTION = '.lockstep.disk';

/** A program that does not fit the machine it is loaded into (a segment outside its RAM, no room for its device tree): bad input, said in one line. */
export class ProgramFitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProgramFitError';
  }
}

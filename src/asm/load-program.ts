// Turns the bytes of a guest program file into a Program: ELF32 by its magic number, GNU assembly otherwise.

import type { Program } from '../machine/program';
import { loadElf } from '../machine/elf';
import { assemble } from './index';
import type { AsmDiagnostic } from './index';

export class ProgramLoadError extends Error {
  constructor(message: string, readonly diagnostics: AsmDiagnostic[] = []) {
    super(message);
    this.name = 'ProgramLoadError';
  }
}

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** Loads `bytes` (named `fileName` in messages). Throws ProgramLoadError with every problem found. */
export function loadProgramBytes(fileName: string, bytes: Uint8Array): Program {
  if (isElf(bytes)) {
    try {
      return loadElf(bytes, fileName);
    } catch (e) {
      throw new ProgramLoadError(`${fileName}: ${(e as Error).message}`);
    }
  }
  const source = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (source.includes('\u0000')) throw new ProgramLoadError(`${fileName}: neither an ELF file nor assembly text`);
  const result = assemble(source, { fileName });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (!result.ok || result.program === undefined) {
    const lines = errors.slice(0, 20).map((d) => `${d.file}:${d.line}:${d.column + 1}: error: ${d.message}`);
    throw new ProgramLoadError(lines.join('\n') || `${fileName}: assembly failed`, result.diagnostics);
  }
  return result.program;
}

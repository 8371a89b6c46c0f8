// Turns the bytes of a guest program file into a Program: ELF32 by its magic number, GNU assembly otherwise (never for a file named .elf).

import type { Program } from '../machine/program';
import { loadElf, type LoadOptions } from '../machine/elf';
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

/** True when some executable segment has bytes: the program has code to run. */
export function hasCode(program: Program): boolean {
  return program.segments.some((s) => s.executable && s.memSize > 0);
}

/**
 * Loads `bytes` (named `fileName` in messages). Throws ProgramLoadError with every problem found: also for an empty
 * file, a file named .elf that is not ELF, and a program without code (it would only trap).
 */
export function loadProgramBytes(fileName: string, bytes: Uint8Array, opts: LoadOptions = {}): Program {
  if (bytes.length === 0) throw new ProgramLoadError(`${fileName}: the file is empty`);
  const program = isElf(bytes) ? loadElfProgram(fileName, bytes, opts) : assembleProgram(fileName, bytes);
  if (!hasCode(program)) throw new ProgramLoadError(`${fileName}: no code: the program has no instructions to run`);
  return program;
}

function loadElfProgram(fileName: string, bytes: Uint8Array, opts: LoadOptions): Program {
  try {
    return loadElf(bytes, fileName, opts);
  } catch (e) {
    throw new ProgramLoadError(`${fileName}: ${(e as Error).message}`);
  }
}

function assembleProgram(fileName: string, bytes: Uint8Array): Program {
  if (/\.elf$/i.test(fileName)) throw new ProgramLoadError(`${fileName}: not an ELF file (it does not start with the ELF magic number 7f 45 4c 46)`);
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

// `lockstep asm FILE.s [-o FILE.elf] [--rvc] [--text-base ADDR]`: assembles a file and writes an ELF executable.
import { readFileSync } from 'node:fs';
import { assemble, writeElf } from '../asm';
import type { AsmDiagnostic } from '../asm';
import { hasCode, isElf } from '../asm/load-program';
import { checkOutputFile, errorCode, parseIntValue, UsageError, writeFileAtomic } from './io';

export interface CommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const ASM_USAGE = 'lockstep asm FILE.s [-o FILE.elf] [--rvc] [--text-base ADDR]';
const USAGE = `usage: ${ASM_USAGE}\n`;

interface AsmArgs { input: string; output: string; outputGiven: boolean; rvc: boolean; textBase?: number }

/** The command line's options, or 'help'; a UsageError names the first problem. */
function parseArgs(argv: string[]): AsmArgs | 'help' {
  let input: string | undefined;
  let output: string | undefined;
  let rvc = false;
  let textBase: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [a, inline] = argv[i].startsWith('--') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    // A value: after `=`, else the next word unless it is an option; missing is empty (an error below).
    const value = (): string => inline ?? (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[++i] : '');
    if (a === '-o') output = value();
    else if (a === '--text-base') textBase = parseIntValue('--text-base', value(), 0, 0xffffffff);
    else if (a === '--rvc' && inline !== undefined) throw new UsageError(`--rvc takes no value, got ${JSON.stringify(inline)}`);
    else if (a === '--rvc') rvc = true;
    else if (a === '-h' || a === '--help') return 'help';
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else if (input === undefined) input = a;
    else throw new UsageError(`unexpected argument ${a} (one input file)`);
  }
  if (input === undefined) throw new UsageError(`missing input file; ${USAGE.trim()}`);
  if (output !== undefined && output.trim() === '') throw new UsageError('-o needs a value: a file to write');
  return { input, output: output ?? input.replace(/\.[sS]$/, '') + '.elf', outputGiven: output !== undefined, rvc, textBase };
}

export function formatDiagnostic(d: AsmDiagnostic): string {
  return `${d.file}:${d.line}:${d.column + 1}: ${d.severity}: ${d.message}\n`;
}

/** Exit codes: 0 written, 2 bad input (options, unreadable or unassemblable file, unwritable output). */
export function asmCommand(argv: string[], io: CommandIo): number {
  try {
    return assembleFile(argv, io);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`lockstep asm: ${e.message}\n`);
    return 2;
  }
}

function assembleFile(argv: string[], io: CommandIo): number {
  const args = parseArgs(argv);
  if (args === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  const source = readSource(args.input);
  checkOutputFile(args.outputGiven ? '-o' : 'output', args.output);
  const r = assemble(source, { fileName: args.input, rvc: args.rvc, textBase: args.textBase });
  for (const d of r.diagnostics) io.stderr(formatDiagnostic(d));
  if (!r.ok || !r.program) return 2;
  if (!hasCode(r.program)) throw new UsageError(`${args.input}: no code: nothing to run (write some instructions)`);
  writeFileAtomic(args.output, writeElf(r.program));
  io.stdout(`${args.output}: ${r.program.segments.map((s) => `${s.name} ${s.memSize} bytes @ 0x${s.addr.toString(16)}`).join(', ')}\n`);
  return 0;
}

function readSource(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${errorCode(e)}`);
  }
  if (isElf(bytes)) throw new UsageError(`${path} is an ELF file already: lockstep asm reads assembly source`);
  return bytes.toString('utf8');
}

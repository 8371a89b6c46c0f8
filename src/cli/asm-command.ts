// `lockstep asm FILE.s [-o FILE.elf] [--rvc] [--text-base ADDR]`: assembles a file and writes an ELF executable.
import { readFileSync, writeFileSync } from 'node:fs';
import { assemble, writeElf } from '../asm';
import type { AsmDiagnostic } from '../asm';

export interface CommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const USAGE = 'usage: lockstep asm FILE.s [-o FILE.elf] [--rvc] [--text-base ADDR]\n';

interface AsmArgs { input: string; output: string; rvc: boolean; textBase?: number }

function parseArgs(argv: string[]): AsmArgs | string {
  let input: string | undefined;
  let output: string | undefined;
  let rvc = false;
  let textBase: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-o') output = argv[++i];
    else if (a === '--rvc') rvc = true;
    else if (a === '--text-base') textBase = Number(argv[++i]);
    else if (a === '-h' || a === '--help') return '';
    else if (a.startsWith('-')) return `unknown option ${a}\n`;
    else if (input === undefined) input = a;
    else return `unexpected argument ${a}\n`;
  }
  if (!input) return 'missing input file\n';
  if (output === undefined) output = input.replace(/\.[sS]$/, '') + '.elf';
  if (textBase !== undefined && !Number.isInteger(textBase)) return 'bad --text-base\n';
  return { input, output, rvc, textBase };
}

export function formatDiagnostic(d: AsmDiagnostic): string {
  return `${d.file}:${d.line}:${d.column + 1}: ${d.severity}: ${d.message}\n`;
}

export function asmCommand(argv: string[], io: CommandIo): number {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    io.stderr(args + USAGE);
    return args ? 2 : 0;
  }
  let source: string;
  try {
    source = readFileSync(args.input, 'utf8');
  } catch (e) {
    io.stderr(`cannot read ${args.input}: ${(e as Error).message}\n`);
    return 1;
  }
  const r = assemble(source, { fileName: args.input, rvc: args.rvc, textBase: args.textBase });
  for (const d of r.diagnostics) io.stderr(formatDiagnostic(d));
  if (!r.ok || !r.program) return 1;
  try {
    writeFileSync(args.output, writeElf(r.program));
  } catch (e) {
    io.stderr(`cannot write ${args.output}: ${(e as Error).message}\n`);
    return 1;
  }
  io.stdout(`${args.output}: ${r.program.segments.map((s) => `${s.name} ${s.memSize} bytes @ 0x${s.addr.toString(16)}`).join(', ')}\n`);
  return 0;
}

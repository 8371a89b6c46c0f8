// Generates the disassembler's golden fixtures: assembles corpora with the GNU toolchain, records objdump -d's text.
//
// Usage: node --import tsx scripts/disasm-fixtures.ts   (writes test/fixtures/disasm/*.json)
// Each fixture is one continuous .text section disassembled by `riscv64-unknown-elf-objdump -d` with default
// options (aliases on). Rows are [address, bytes as objdump shows them, text] with objdump's tab between
// mnemonic and operands turned into one space. The live test in test/machine/disasm.test.ts imports this module
// to regenerate the corpora (plus larger ones) when the toolchain is on PATH.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '../test/helpers/mulberry32';

export const ARCH = 'rv32imac_zicsr_zifencei';
const AS = 'riscv64-unknown-elf-as';
const OBJDUMP = 'riscv64-unknown-elf-objdump';
const STRIP = 'riscv64-unknown-elf-strip';
const READELF = 'riscv64-unknown-elf-readelf';
export const FIXTURE_DIR = join(__dirname, '..', 'test', 'fixtures', 'disasm');

export type Row = [address: number, bytes: string, text: string];

export interface Fixture {
  name: string;
  description: string;
  toolchain: string;
  arch: string;
  /** The object's Tag_RISCV_priv_spec ('1.12' when absent: objdump then uses its newest CSR names). */
  privSpec: '1.11' | '1.12';
  /** Value of __global_pointer$ when the corpus defines it (objdump then annotates gp-relative accesses). */
  gp?: number;
  /** Non-section symbols [address, name] when the object keeps its symbol table (objdump prints <sym+off>). */
  symbols?: [number, string][];
  rows: Row[];
}

export interface Corpus {
  name: string;
  description: string;
  source: string;
  /** Keep the symbol table (labels); otherwise the object is stripped so `.word` data is decoded as code. */
  keepSymbols?: boolean;
}

/** Deterministic 32-bit PRNG: the shared mulberry32 scaled to whole words (the committed fixtures depend on its sequence). */
export function prng(seed: number): () => number {
  const next = mulberry32(seed);
  return () => Math.floor(next() * 4294967296) >>> 0;
}

export function toolchainAvailable(): boolean {
  try {
    execFileSync(OBJDUMP, ['--version'], { stdio: 'ignore' });
    execFileSync(AS, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function toolchainVersion(): string {
  return execFileSync(OBJDUMP, ['--version'], { encoding: 'utf8' }).split('\n')[0];
}

/** Assembles `source`, runs objdump -d and parses its rows (and the symbol table when kept). */
export function objdump(corpus: Corpus): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'disasm-'));
  try {
    const src = join(dir, 'a.s');
    const obj = join(dir, 'a.o');
    writeFileSync(src, corpus.source);
    execFileSync(AS, [`-march=${ARCH}`, '-mabi=ilp32', src, '-o', obj], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (!corpus.keepSymbols) execFileSync(STRIP, [obj]);
    const listing = execFileSync(OBJDUMP, ['-d', obj], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const fixture: Fixture = {
      name: corpus.name, description: corpus.description, toolchain: toolchainVersion(), arch: ARCH,
      privSpec: privSpec(execFileSync(READELF, ['-A', obj], { encoding: 'utf8' })), rows: parseListing(listing),
    };
    if (corpus.keepSymbols) Object.assign(fixture, symbolTable(execFileSync(OBJDUMP, ['-t', obj], { encoding: 'utf8' })));
    return fixture;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function privSpec(attributes: string): '1.11' | '1.12' {
  const major = /Tag_RISCV_priv_spec: (\d+)/.exec(attributes)?.[1];
  const minor = /Tag_RISCV_priv_spec_minor: (\d+)/.exec(attributes)?.[1] ?? '0';
  if (major === undefined) return '1.12';
  if (`${major}.${minor}` !== '1.11') throw new Error(`unexpected priv spec ${major}.${minor}`);
  return '1.11';
}

function parseListing(listing: string): Row[] {
  const rows: Row[] = [];
  for (const line of listing.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t([0-9a-f ]+?)\s*\t(.*)$/.exec(line);
    if (m) rows.push([parseInt(m[1], 16), m[2].replace(/ /g, ''), m[3].replace('\t', ' ').trimEnd()]);
  }
  return rows;
}

function symbolTable(table: string): { symbols: [number, string][]; gp?: number } {
  const symbols: [number, string][] = [];
  let gp: number | undefined;
  for (const line of table.split('\n')) {
    const m = /^([0-9a-f]{8}) (.{7}) (\S+)\t[0-9a-f]+ (.+)$/.exec(line);
    if (!m || m[2].includes('d')) continue; // section symbols are never chosen over labels here
    symbols.push([parseInt(m[1], 16), m[4]]);
    if (m[4] === '__global_pointer$') gp = parseInt(m[1], 16);
  }
  symbols.sort((x, y) => x[0] - y[0]);
  return gp === undefined ? { symbols } : { symbols, gp };
}

const hex = (n: number, digits: number): string => '0x' + (n >>> 0).toString(16).padStart(digits, '0');
const words = (ws: number[]): string => ws.map((w) => `.word ${hex(w, 8)}\n`).join('');
const halves = (hs: number[]): string => hs.map((h) => `.half ${hex(h, 4)}\n`).join('');

/** True for a 32-bit encoding (low bits 11 but not an encoding longer than 32 bits). */
const is32 = (w: number): boolean => (w & 3) === 3 && (w & 0x1c) !== 0x1c;

/** Uniformly random 32-bit encodings. */
export function random32(seed: number, count: number): Corpus {
  const next = prng(seed);
  const ws: number[] = [];
  while (ws.length < count) {
    const w = next() | 3;
    if (is32(w)) ws.push(w);
  }
  return { name: 'random32', description: `${count} uniformly random 32-bit words, seed ${seed}`, source: words(ws) };
}

const MAJOR = [0x03, 0x0f, 0x13, 0x17, 0x23, 0x2f, 0x33, 0x37, 0x63, 0x67, 0x6f, 0x73];
const FUNCT7 = [0x00, 0x20, 0x01];
const AMO5 = [0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c];

/** Random words with a valid major opcode, biased towards the fields that select aliases (x0, imm 0/±1, funct7). */
function biased32(next: () => number): number {
  let w = (next() & ~0x7f) | MAJOR[next() % MAJOR.length];
  const pick = (): boolean => next() % 4 === 0;
  if (pick()) w = (w & 0x01ffffff) | (FUNCT7[next() % 3] << 25);
  if ((w & 0x7f) === 0x2f && pick()) w = (w & 0x07ff8fff) | (AMO5[next() % AMO5.length] << 27) | 0x2000;
  if ((w & 0x7f) === 0x73 && pick()) w &= 0x000fffff; // ecall/ebreak/ret family: funct12 mostly zero
  if (pick()) w &= ~(31 << 7);
  if (pick()) w &= ~(31 << 15);
  if (pick()) w &= ~(31 << 20);
  if (pick()) w = (w & 0x000fffff) | ([0, 1, 0xfff, 0xc00, 0xc01, 0xc02, 0xff][next() % 7] << 20);
  return w;
}

export function structured32(seed: number, count: number): Corpus {
  const next = prng(seed);
  const ws = Array.from({ length: count }, () => biased32(next));
  return { name: 'structured32', description: `${count} random words with valid opcodes, alias-biased fields, seed ${seed}`, source: words(ws) };
}

/** Random 16-bit parcels, half of them with rd/rs2/immediate fields forced to zero to reach the hints. */
export function random16(seed: number, count: number): Corpus {
  const next = prng(seed);
  const hs: number[] = [];
  while (hs.length < count) {
    let h = next() & 0xffff;
    if ((h & 3) === 3) continue;
    if (next() % 2 === 0) h &= [0xf07f, 0xff83, 0xefff, 0xef83, 0xffff][next() % 5];
    hs.push(h);
  }
  return { name: 'random16', description: `${count} random 16-bit parcels, seed ${seed}`, source: halves(hs) };
}

/** Random 16-bit and 32-bit instructions interleaved (lui/auipc tracking across widths, parcel alignment). */
export function mixed(seed: number, count: number): Corpus {
  const next = prng(seed);
  const hs: number[] = [];
  for (let n = 0; n < count; n++) {
    if (next() % 2 === 0) {
      const w = next() % 2 === 0 ? biased32(next) : next() | 3;
      if (is32(w)) hs.push(w & 0xffff, w >>> 16);
      else n--;
    } else {
      const h = next() & 0xffff;
      if ((h & 3) !== 3) hs.push(h);
      else n--;
    }
  }
  return { name: 'mixed', description: `${count} interleaved 16/32-bit instructions, seed ${seed}`, source: halves(hs) };
}

/** Every 16-bit parcel (only used by the live test: too big to commit). */
export function exhaustive16(): Corpus {
  const hs: number[] = [];
  for (let h = 0; h < 0x10000; h++) if ((h & 3) !== 3) hs.push(h);
  return { name: 'exhaustive16', description: 'every 16-bit parcel', source: halves(hs) };
}

/** Every CSR number through the four CSR instruction shapes; `named` makes gas mark the object priv-spec 1.11. */
export function csrCorpus(named: boolean): Corpus {
  const shapes = [0x2073 | (10 << 7) | (11 << 15), 0x2073 | (10 << 7), 0x1073 | (11 << 15), 0x7073 | (10 << 7) | (5 << 15)];
  const ws = Array.from({ length: 4096 }, (_, n) => ((n << 20) | shapes[n % shapes.length]) >>> 0);
  return {
    name: named ? 'csr-1.11' : 'csr-1.12',
    description: `every CSR number, object ${named ? 'marked priv-spec 1.11' : 'without a priv-spec attribute'}`,
    source: (named ? 'csrr a0, mstatus\n' : '') + words(ws),
  };
}

/** A hand-written assembly corpus kept next to the fixtures (test/fixtures/disasm/<name>.s). */
function sourceCorpus(name: string, description: string, keepSymbols = false): Corpus {
  return { name, description, source: readFileSync(join(FIXTURE_DIR, name + '.s'), 'utf8'), keepSymbols };
}

/** The corpora committed as fixtures. */
export function committedCorpora(): Corpus[] {
  return [
    sourceCorpus('forms', 'every instruction and alias form, written as assembly'),
    sourceCorpus('symbols', 'labels, gp and lui/auipc pairs: objdump prints <sym+off>', true),
    random32(1, 3000), structured32(2, 3000), random16(3, 3000), mixed(4, 3000), csrCorpus(false), csrCorpus(true),
  ];
}

function writeFixture(f: Fixture): void {
  const { rows, symbols, ...header } = f;
  const lines = [JSON.stringify(header).slice(0, -1) + ','];
  if (symbols) lines.push(`"symbols":${JSON.stringify(symbols)},`);
  lines.push('"rows":[');
  lines.push(rows.map((r) => JSON.stringify(r)).join(',\n'));
  lines.push(']}');
  writeFileSync(join(FIXTURE_DIR, f.name + '.json'), lines.join('\n') + '\n');
}

export function readFixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, name + '.json'), 'utf8')) as Fixture;
}

function main(): void {
  mkdirSync(FIXTURE_DIR, { recursive: true });
  for (const corpus of committedCorpora()) {
    const f = objdump(corpus);
    writeFixture(f);
    console.log(`${f.name}: ${f.rows.length} rows`);
  }
}

if (require.main === module) main();

// writeElf: the header, program and section headers and symbols read back; hello.s runs on QEMU when installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble, writeElf } from '../../src/asm';
import { readElfHeader, readElfPhdrs, readElfSections, readElfSymbols } from './elf-read';

const helloPath = join(__dirname, '..', '..', 'examples', 'hello', 'hello.s');
const hello = readFileSync(helloPath, 'utf8');

function build(src: string, rvc = false) {
  const r = assemble(src, { fileName: 'hello.s', rvc });
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  return { program: r.program!, elf: writeElf(r.program!) };
}

test('ELF header: class, machine, entry, flags', () => {
  const { program, elf } = build(hello);
  const h = readElfHeader(elf);
  assert.deepEqual({ type: h.type, machine: h.machine, entry: h.entry, flags: h.flags }, { type: 2, machine: 243, entry: program.entry, flags: 0 });
  assert.equal(h.phnum, program.segments.length);
  assert.equal(build(hello, true).elf[36] & 1, 1, 'EF_RISCV_RVC set when compressed instructions are present');
});

test('one PT_LOAD per segment with file bytes, memsz and congruent offsets', () => {
  const { program, elf } = build(hello);
  const ph = readElfPhdrs(elf);
  program.segments.forEach((seg, i) => {
    const p = ph[i];
    assert.equal(p.type, 1);
    assert.equal(p.vaddr, seg.addr);
    assert.equal(p.filesz, seg.data.length);
    assert.equal(p.memsz, seg.memSize);
    assert.equal((p.offset % 0x1000), p.vaddr % 0x1000);
    assert.deepEqual(elf.subarray(p.offset, p.offset + p.filesz), seg.data);
    assert.equal(p.flags & 1, seg.executable ? 1 : 0);
  });
});

test('section headers name .text/.rodata/.bss and the symbol tables', () => {
  const { elf } = build(hello);
  const secs = readElfSections(elf);
  assert.deepEqual(secs.map((s) => s.name), ['', '.text', '.rodata', '.bss', '.debug_line', '.symtab', '.strtab', '.shstrtab']);
  const dl = secs[4].data;
  assert.equal(dl[4] | (dl[5] << 8), 4, 'DWARF v4 line table');
  assert.equal(secs[3].nobits, true);
  const syms = readElfSymbols(elf);
  const start = syms.find((s) => s.name === '_start')!;
  assert.equal(start.value, 0x80000000);
  assert.equal(start.info, (1 << 4) | 2, 'global function');
  assert.equal(start.shndx, 1);
  const puts = syms.find((s) => s.name === 'puts')!;
  assert.ok(puts.size > 0, '.size feeds st_size');
  const firstGlobal = syms.findIndex((s) => s.info >> 4 === 1);
  assert.ok(syms.slice(firstGlobal).every((s) => s.info >> 4 === 1), 'locals before globals');
});

test('objdump reads our ELF when the GNU toolchain is installed', (t) => {
  if (spawnSync('riscv64-unknown-elf-objdump', ['--version']).status !== 0) { t.skip('no objdump'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-elf-'));
  try {
    writeFileSync(join(dir, 'h.elf'), build(hello, true).elf);
    const r = spawnSync('riscv64-unknown-elf-objdump', ['-d', '-t', join(dir, 'h.elf')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /<_start>:/);
    assert.match(r.stdout, /<puts>:/);
    assert.doesNotMatch(r.stderr, /warning|error/i);
    const d = spawnSync('riscv64-unknown-elf-objdump', ['--dwarf=decodedline', join(dir, 'h.elf')], { encoding: 'utf8' });
    assert.doesNotMatch(d.stderr, /warning|error/i);
    const firstLine = hello.split('\n').findIndex((l) => /^\s+la\s+sp/.test(l)) + 1;
    assert.match(d.stdout, new RegExp(`hello\\.s\\s+${firstLine}\\s+0x80000000`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const rvc of [false, true]) {
  test(`hello.s runs on qemu-system-riscv32 (rvc=${rvc})`, (t) => {
    if (spawnSync('qemu-system-riscv32', ['--version']).status !== 0) { t.skip('qemu-system-riscv32 not installed'); return; }
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-qemu-'));
    try {
      const file = join(dir, 'hello.elf');
      writeFileSync(file, build(hello, rvc).elf);
      const r = spawnSync('qemu-system-riscv32', ['-M', 'virt', '-bios', 'none', '-nographic', '-monitor', 'none', '-serial', 'stdio', '-kernel', file], { encoding: 'utf8', timeout: 20000 });
      assert.equal(r.error, undefined, 'QEMU timed out: the guest did not power off');
      assert.equal(r.stdout, 'Hello from Lockstep!\nTwo VMs, one story.\n');
      assert.equal(r.status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

// The primary-vs-secondary text renderer: fixed section order, equal lines where the VMs agree, the RAM page map and hex dumps, bad options.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PAGE_SIZE } from '../../src/machine/ram';
import { VmImage, pageDiffs, renderPair } from '../../src/debug/vm-state-text';

const PAGES = 4;

function vm(label: string, id: number, edit?: (img: VmImage) => void): VmImage {
  const img: VmImage = {
    label, vm: id, instret: 1000, pc: 0x80000100,
    x: Array.from({ length: 32 }, (_, i) => (i === 0 ? 0 : 0x1000 + i)),
    csrs: [['mstatus', 0x1800], ['mepc', 0]],
    devices: { uart: { lcr: 3, divisor: 12 }, clint: { msip: 0 } },
    ft: [{ name: 'role', value: label.split(' ')[0] }, { name: 'protection', value: 'Protected' }],
    hash: 'h1', ramBase: 0x80000000, ram: new Uint8Array(PAGES * PAGE_SIZE),
  };
  img.ram.set([0x41, 0x42], 0);
  edit?.(img);
  return img;
}

const lines = (t: string): string[] => t.split('\n');
const differing = (a: string, b: string): [string, string][] => {
  const [la, lb] = [lines(a), lines(b)];
  assert.equal(la.length, lb.length, 'both documents have the same number of lines');
  return la.map((l, i) => [l, lb[i]] as [string, string]).filter(([x, y]) => x !== y);
};

test('identical VMs: the documents differ only in the header and the FT role; sections in a fixed order', () => {
  const { diffs, texts: [p, s] } = renderPair(vm('primary @ host-a', 1), vm('secondary @ host-b', 2));
  assert.deepEqual(diffs, []);
  assert.deepEqual(differing(p, s), [
    ['primary @ host-a at instruction 1000 (VM 1)', 'secondary @ host-b at instruction 1000 (VM 2)'],
    [`${'role'.padEnd(21)} primary`, `${'role'.padEnd(21)} secondary`],
  ]);
  const headers = lines(p).filter((l) => l.startsWith('['));
  assert.deepEqual(headers.map((h) => h.split(']')[0] + ']'), ['[fault tolerance]', '[cpu]', '[registers]', '[csrs]', '[devices]', '[memory]']);
  assert.ok(lines(p).includes(`${'x1 ra'.padEnd(21)} 0x00001001`));
  assert.ok(lines(p).includes(`${'x31 t6'.padEnd(21)} 0x0000101f`));
  assert.ok(lines(p).includes(`${'pc'.padEnd(21)} 0x80000100`));
  const devs = lines(p).filter((l) => /^(uart|clint)\./.test(l)).map((l) => l.split(' ')[0]);
  assert.deepEqual(devs, ['clint.msip', 'uart.lcr', 'uart.divisor'], 'devices by name, registers in their own order');
  assert.ok(lines(p).includes(`${'uart.divisor'.padEnd(21)} 0xc`));
  assert.ok(lines(p).includes('[memory] 4 pages of 4096 bytes from 0x80000000: 4 identical, 0 differ'));
  assert.ok(lines(p).includes('0x80000000-0x80003fff  identical (4 pages)'));
});

test('a register, a CSR and two bytes of page 2 differ: exactly those lines (and the hash), with the page dumped on both sides', () => {
  const a = vm('primary @ host-a', 1);
  const b = vm('secondary @ host-b', 2, (img) => {
    (img.x as number[])[10] = 0xdeadbeef;
    img.csrs = [['mstatus', 0x1888], ['mepc', 0]];
    img.hash = 'h2';
    img.ram[2 * PAGE_SIZE + 0x23] = 0x7a;
    img.ram[2 * PAGE_SIZE + 0x24] = 0x7a;
  });
  const { diffs, texts: [p, s] } = renderPair(a, b, 4);
  assert.deepEqual(diffs, [{ index: 2, bytesDiffering: 2 }]);
  const d = differing(p, s).slice(1).map(([x, y]) => [x.replace(/ +/g, ' '), y.replace(/ +/g, ' ')]);
  assert.deepEqual(d, [
    ['machine hash h1', 'machine hash h2'],
    ['role primary', 'role secondary'],
    ['x10 a0 0x0000100a', 'x10 a0 0xdeadbeef'],
    ['mstatus 0x00001800', 'mstatus 0x00001888'],
    ['0x80002020 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 |................|', '0x80002020 00 00 00 7a 7a 00 00 00 00 00 00 00 00 00 00 00 |...zz...........|'],
  ]);
  for (const t of [p, s]) {
    assert.ok(lines(t).includes('[memory] 4 pages of 4096 bytes from 0x80000000: 3 identical, 1 differ'));
    assert.deepEqual(lines(t).filter((l) => /^0x8000[0-9a-f]{4}-/.test(l)), [
      '0x80000000-0x80001fff  identical (2 pages)', '0x80002000-0x80002fff  differs (2 bytes)', '0x80003000-0x80003fff  identical (1 page)',
    ]);
    assert.ok(lines(t).includes('[differing pages] 1 of 1 dumped, 16 bytes a line'));
    assert.equal(lines(t).filter((l) => /^0x80002[0-9a-f]{3}  [0-9a-f]{2} /.test(l)).length, PAGE_SIZE / 16);
  }
});

test('more differing pages than dumpPages: the rest are counted, not dumped; bad dumpPages is a clear error', () => {
  const b = vm('secondary @ host-b', 2, (img) => { for (let i = 0; i < PAGES; i++) img.ram[i * PAGE_SIZE + 8] = 1; });
  const { texts: [p] } = renderPair(vm('primary @ host-a', 1), b, 1);
  assert.ok(lines(p).includes('[differing pages] 1 of 4 dumped, 16 bytes a line'));
  assert.ok(lines(p).includes('… 3 more differing pages not dumped'));
  assert.equal(lines(p).filter((l) => l.startsWith('page ')).length, 1);
  assert.doesNotMatch(renderPair(vm('primary @ host-a', 1), b).texts[0], /\[differing pages\]/, 'no dumps by default');
  for (const bad of [-1, 1.5, 65, NaN, '3' as unknown as number]) assert.throws(() => renderPair(vm('p', 1), b, bad), /dumpPages must be an integer from 0 to 64/);
});

test('pageDiffs counts differing bytes and treats RAM past the shorter image as differing', () => {
  const a = new Uint8Array(2 * PAGE_SIZE);
  const b = new Uint8Array(PAGE_SIZE + 16);
  b[5] = 9;
  assert.deepEqual(pageDiffs(a, b), [{ index: 0, bytesDiffering: 1 }, { index: 1, bytesDiffering: PAGE_SIZE - 16 }]);
  assert.deepEqual(pageDiffs(a, a.slice()), []);
});

// Pure text rendering of one VM's full state for the primary-vs-secondary diff: fixed sections in a fixed order, one fact per line.

import { PAGE_SIZE } from '../machine/ram';
import { ABI_NAMES, hex } from './program-info';

/** One VM captured at the compared instruction count (FT rows: its fault-tolerance state now, in the present). */
export interface VmImage {
  /** `primary @ host-a` */
  label: string;
  vm: number;
  instret: number;
  pc: number;
  /** x0..x31, unsigned. */
  x: readonly number[];
  csrs: readonly (readonly [string, number])[];
  devices: Readonly<Record<string, Readonly<Record<string, string | number | boolean>>>>;
  ft: readonly { name: string; value: string }[];
  hash: string;
  ramBase: number;
  ram: Uint8Array;
}

/** A RAM page whose bytes differ between the two VMs (index from the start of RAM). */
export interface PageDiff { index: number; bytesDiffering: number }

/** Most differing pages a document dumps as hex lines unless told otherwise. */
export const DUMP_PAGES_MAX = 64;
const BYTES_PER_LINE = 16;
/** Width of the name column: the same on both sides, so equal facts make equal lines. */
const NAME_COLUMN = 22;

/** Pages whose bytes differ, in address order; bytes past the end of the shorter RAM count as differing. */
export function pageDiffs(a: Uint8Array, b: Uint8Array): PageDiff[] {
  const out: PageDiff[] = [];
  const size = Math.max(a.length, b.length);
  for (let off = 0, index = 0; off < size; off += PAGE_SIZE, index++) {
    const pa = a.subarray(off, off + PAGE_SIZE);
    const pb = b.subarray(off, off + PAGE_SIZE);
    if (pa.length === pb.length && Buffer.compare(pa, pb) === 0) continue;
    let n = Math.abs(pa.length - pb.length);
    for (let i = Math.min(pa.length, pb.length) - 1; i >= 0; i--) if (pa[i] !== pb[i]) n++;
    out.push({ index, bytesDiffering: n });
  }
  return out;
}

/** A device register value: integers above 9 in hex (as the Devices scope shows them). */
export function deviceValue(x: string | number | boolean): string {
  return typeof x === 'number' && Number.isInteger(x) && x > 9 ? `0x${(x >>> 0).toString(16)}` : String(x);
}

const line = (name: string, value: string): string => `${name.padEnd(NAME_COLUMN - 1)} ${value}`;

function headerLines(img: VmImage): string[] {
  return [
    `${img.label} at instruction ${img.instret} (VM ${img.vm})`,
    'every section, fault tolerance included: at the moment this VM reached the instruction count both VMs reached.',
    line('machine hash', img.hash),
  ];
}

function ftLines(img: VmImage): string[] {
  return ['', '[fault tolerance]', ...img.ft.map((r) => line(r.name, r.value))];
}

function cpuLines(img: VmImage): string[] {
  const regs = img.x.slice(1).map((v, i) => line(`x${i + 1} ${ABI_NAMES[i + 1]}`, hex(v)));
  return [
    '', '[cpu]', line('instret', String(img.instret)), line('pc', hex(img.pc)),
    '', '[registers]', ...regs,
    '', '[csrs]', ...img.csrs.map(([n, v]) => line(n, hex(v))),
  ];
}

function deviceLines(img: VmImage): string[] {
  const out = ['', '[devices]'];
  for (const name of Object.keys(img.devices).sort()) {
    for (const [k, v] of Object.entries(img.devices[name])) out.push(line(`${name}.${k}`, deviceValue(v)));
  }
  return out;
}

const pageAddr = (img: VmImage, index: number): number => (img.ramBase + index * PAGE_SIZE) >>> 0;
const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/** One line per run of identical pages and one per differing page, in address order (the same lines on both sides). */
function pageMapLines(img: VmImage, pageCount: number, diffs: readonly PageDiff[]): string[] {
  const out: string[] = [];
  let next = 0;
  const identical = (from: number, to: number): void => {
    if (to > from) out.push(`${hex(pageAddr(img, from))}-${hex(pageAddr(img, to) - 1)}  identical (${plural(to - from, 'page')})`);
  };
  for (const d of diffs) {
    identical(next, d.index);
    out.push(`${hex(pageAddr(img, d.index))}-${hex(pageAddr(img, d.index + 1) - 1)}  differs (${plural(d.bytesDiffering, 'byte')})`);
    next = d.index + 1;
  }
  identical(next, pageCount);
  return out;
}

function dumpLine(addr: number, bytes: Uint8Array): string {
  const h = Array.from(bytes, (b) => b.toString(16).padStart(2, '0'));
  const ascii = Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return `${hex(addr)}  ${h.slice(0, 8).join(' ')}  ${h.slice(8).join(' ')}  |${ascii}|`;
}

function dumpPage(img: VmImage, index: number): string[] {
  const out = [`page ${hex(pageAddr(img, index))}:`];
  const start = index * PAGE_SIZE;
  for (let off = start; off < start + PAGE_SIZE; off += BYTES_PER_LINE) {
    const bytes = img.ram.subarray(off, Math.min(off + BYTES_PER_LINE, start + PAGE_SIZE));
    out.push(bytes.length === 0 ? `${hex(img.ramBase + off)}  (beyond this VM's RAM)` : dumpLine(img.ramBase + off, bytes));
  }
  return out;
}

function memoryLines(img: VmImage, pageCount: number, diffs: readonly PageDiff[], dumpPages: number): string[] {
  const shown = diffs.slice(0, dumpPages);
  const out = [
    '', `[memory] ${plural(pageCount, 'page')} of ${PAGE_SIZE} bytes from ${hex(img.ramBase)}: ${pageCount - diffs.length} identical, ${diffs.length} differ`,
    ...pageMapLines(img, pageCount, diffs),
  ];
  if (shown.length > 0) out.push('', `[differing pages] ${shown.length} of ${diffs.length} dumped, ${BYTES_PER_LINE} bytes a line`);
  for (const d of shown) out.push(...dumpPage(img, d.index));
  if (diffs.length > shown.length) out.push(`… ${plural(diffs.length - shown.length, 'more differing page')} not dumped`);
  return out;
}

/** Number of pages two RAM images span together. */
function pageCountOf(a: Uint8Array, b: Uint8Array): number {
  return Math.ceil(Math.max(a.length, b.length) / PAGE_SIZE);
}

/** The whole document of one VM: header, FT state, cpu, registers (ABI names), CSRs, devices, RAM page map, hex dumps. */
function vmStateText(img: VmImage, pageCount: number, diffs: readonly PageDiff[], dumpPages: number): string {
  return [...headerLines(img), ...ftLines(img), ...cpuLines(img), ...deviceLines(img), ...memoryLines(img, pageCount, diffs, dumpPages)].join('\n') + '\n';
}

/**
 * Both VMs' documents and the RAM pages that differ. Each document has the same lines as the other wherever the
 * two VMs agree (and its own where they do not), so a line diff shows exactly what differs; the first `dumpPages`
 * differing pages are dumped as hex lines, every page is accounted for in the page map.
 */
export function renderPair(a: VmImage, b: VmImage, dumpPages = 0): { diffs: PageDiff[]; texts: [string, string] } {
  if (!Number.isInteger(dumpPages) || dumpPages < 0 || dumpPages > DUMP_PAGES_MAX) {
    throw new Error(`dumpPages must be an integer from 0 to ${DUMP_PAGES_MAX}, not ${JSON.stringify(dumpPages)}`);
  }
  const diffs = pageDiffs(a.ram, b.ram);
  const pages = pageCountOf(a.ram, b.ram);
  return { diffs, texts: [vmStateText(a, pages, diffs, dumpPages), vmStateText(b, pages, diffs, dumpPages)] };
}

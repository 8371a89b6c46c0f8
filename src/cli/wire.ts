// Byte encoding of the secondary's environment calls and delivered inputs, for the worker's command batches.
//
// Structured cloning thousands of small objects (calls with their outputs, packets, sector data) cost
// the simulating thread ~7% of a protected kvstore run; written into one growing byte buffer that is
// transferred with the batch, they cost a few typed-array stores each. Every number is a float64
// (instruction counts, times and mtimecmp are exact integers up to 2^53), every byte string a
// length and its bytes; the reader rebuilds the same objects.

import type { GuestOutput, InputEvent, ReadKind } from '../machine/types';
import { withRoom } from '../machine/byte-growth';
import type { ExpectedCall } from '../ft/protocol/shadow-machine';

const READ_KINDS: readonly ReadKind[] = ['time', 'cycle', 'entropy'];
const OUTPUT_KINDS: readonly GuestOutput['kind'][] = ['uart', 'nicTx', 'diskRequest', 'exit', 'timerArm', 'netTx'];
const INPUT_KINDS: readonly InputEvent['kind'][] = ['timer', 'uartRx', 'nicRx', 'diskDone', 'netRx'];
const CALL_READ = 0;
const CALL_OUTPUT = 1;
/** Largest byte string one record carries (a packet or a disk transfer is far smaller). */
const BYTES_MAX = 64 * 1024 * 1024;

function code<T>(table: readonly T[], value: T, what: string): number {
  const i = table.indexOf(value);
  if (i < 0) throw new Error(`wire: unknown ${what} ${String(value)}`);
  return i;
}

/** Appends records to a byte buffer that doubles as needed; `take` hands the bytes over and starts afresh. */
export class WireWriter {
  private buf: Uint8Array<ArrayBuffer>;
  private view: DataView;
  private at = 0;

  constructor(private readonly initialBytes = 4096) {
    if (!(Number.isInteger(initialBytes) && initialBytes >= 16)) throw new Error(`wire: initial size ${initialBytes}`);
    this.buf = new Uint8Array(initialBytes);
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written since the last take. */
  get length(): number {
    return this.at;
  }

  /** The bytes so far (transfer their buffer) and an empty writer. */
  take(): Uint8Array<ArrayBuffer> {
    const out = this.buf.subarray(0, this.at);
    this.buf = new Uint8Array(this.initialBytes);
    this.view = new DataView(this.buf.buffer);
    this.at = 0;
    return out;
  }

  /** Writes the calls of one slice; returns the offset of the record. */
  calls(list: readonly ExpectedCall[]): number {
    const start = this.at;
    this.f64(list.length);
    for (const c of list) {
      if ('read' in c) {
        this.u8(CALL_READ); this.f64(c.instret); this.u8(code(READ_KINDS, c.read, 'read kind')); this.f64(c.value);
      } else {
        this.u8(CALL_OUTPUT); this.f64(c.instret); this.output(c.output);
      }
    }
    return start;
  }

  /** Writes one input event; returns the offset of the record. */
  input(ev: InputEvent): number {
    const start = this.at;
    this.u8(code(INPUT_KINDS, ev.kind, 'input kind'));
    switch (ev.kind) {
      case 'timer': this.u8(ev.pending ? 1 : 0); break;
      case 'uartRx': this.bytes(ev.bytes); break;
      case 'nicRx': this.bytes(ev.packet); break;
      case 'diskDone': this.f64(ev.id); this.u8(ev.ok ? 1 : 0); this.optionalBytes(ev.data); break;
      case 'netRx': this.bytes(ev.frame); break;
    }
    return start;
  }

  private output(o: GuestOutput): void {
    this.u8(code(OUTPUT_KINDS, o.kind, 'output kind'));
    switch (o.kind) {
      case 'uart': this.u8(o.byte); break;
      case 'nicTx': this.bytes(o.packet); break;
      case 'netTx': this.bytes(o.frame); break;
      case 'diskRequest':
        this.f64(o.id); this.u8(o.op === 'write' ? 1 : 0); this.f64(o.sector); this.f64(o.count); this.optionalBytes(o.data);
        break;
      case 'exit': this.f64(o.code); break;
      case 'timerArm': this.f64(o.mtimecmp); break;
    }
  }

  private room(n: number): void {
    const next = withRoom(this.buf, this.at, n);
    if (next === this.buf) return;
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private u8(v: number): void {
    this.room(1);
    this.buf[this.at++] = v;
  }

  private f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.at, v, true);
    this.at += 8;
  }

  private bytes(b: Uint8Array): void {
    if (b.length > BYTES_MAX) throw new Error(`wire: a byte string of ${b.length} bytes`);
    this.f64(b.length);
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  private optionalBytes(b: Uint8Array | undefined): void {
    this.u8(b === undefined ? 0 : 1);
    if (b !== undefined) this.bytes(b);
  }
}

/** Reads records back from the bytes a WireWriter produced (byte strings are copied out). */
export class WireReader {
  private readonly view: DataView;
  private at = 0;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  calls(offset: number): ExpectedCall[] {
    this.at = offset;
    const n = this.f64();
    if (!(Number.isInteger(n) && n >= 0 && n <= this.buf.length)) throw new Error(`wire: ${n} calls`);
    const out: ExpectedCall[] = [];
    for (let i = 0; i < n; i++) {
      const tag = this.u8(), instret = this.f64();
      if (tag === CALL_READ) {
        const read = this.pick(READ_KINDS, 'read kind');
        out.push({ instret, read, value: this.f64() });
      } else if (tag === CALL_OUTPUT) {
        out.push({ instret, output: this.output() });
      } else {
        throw new Error(`wire: call tag ${tag}`);
      }
    }
    return out;
  }

  input(offset: number): InputEvent {
    this.at = offset;
    const kind = this.pick(INPUT_KINDS, 'input kind');
    switch (kind) {
      case 'timer': return { kind, pending: this.u8() === 1 };
      case 'uartRx': return { kind, bytes: this.bytes() };
      case 'nicRx': return { kind, packet: this.bytes() };
      case 'diskDone': {
        const id = this.f64(), ok = this.u8() === 1, data = this.optionalBytes();
        return data === undefined ? { kind, id, ok } : { kind, id, ok, data };
      }
      case 'netRx': return { kind, frame: this.bytes() };
    }
  }

  private output(): GuestOutput {
    const kind = this.pick(OUTPUT_KINDS, 'output kind');
    switch (kind) {
      case 'uart': return { kind, byte: this.u8() };
      case 'nicTx': return { kind, packet: this.bytes() };
      case 'netTx': return { kind, frame: this.bytes() };
      case 'diskRequest': {
        const id = this.f64(), op = this.u8() === 1 ? 'write' : 'read', sector = this.f64(), count = this.f64(), data = this.optionalBytes();
        return data === undefined ? { kind, id, op, sector, count } : { kind, id, op, sector, count, data };
      }
      case 'exit': return { kind, code: this.f64() };
      case 'timerArm': return { kind, mtimecmp: this.f64() };
    }
  }

  private pick<T>(table: readonly T[], what: string): T {
    const i = this.u8();
    if (i >= table.length) throw new Error(`wire: ${what} ${i}`);
    return table[i];
  }

  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new Error(`wire: a record runs past the end (${this.at} + ${n} > ${this.buf.length})`);
  }

  private u8(): number {
    this.need(1);
    return this.buf[this.at++];
  }

  private f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.at, true);
    this.at += 8;
    return v;
  }

  private bytes(): Uint8Array {
    const n = this.f64();
    if (!(Number.isInteger(n) && n >= 0 && n <= BYTES_MAX)) throw new Error(`wire: a byte string of ${n} bytes`);
    this.need(n);
    const b = this.buf.slice(this.at, this.at + n);
    this.at += n;
    return b;
  }

  private optionalBytes(): Uint8Array | undefined {
    return this.u8() === 1 ? this.bytes() : undefined;
  }
}

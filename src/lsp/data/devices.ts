// The guest memory map of docs/devices.md as data: which device and register a physical address names.

export interface DeviceRegister {
  offset: number;
  /** Register width in bytes. */
  width: number;
  name: string;
  meaning: string;
}

export interface Device {
  base: number;
  size: number;
  name: string;
  registers: DeviceRegister[];
}

const r = (offset: number, name: string, meaning: string, width = 4): DeviceRegister => ({ offset, width, name, meaning });
const u = (offset: number, name: string, meaning: string): DeviceRegister => r(offset, name, meaning, 1);

const PLIC_PRIORITIES = Array.from({ length: 31 }, (_, i) => r(4 * (i + 1), `priority[${i + 1}]`, `priority of source ${i + 1} (0 = never)`));

export const DEVICES: Device[] = [
  { base: 0x0010_0000, size: 0x1000, name: 'SiFive test device (power off)', registers: [
    r(0, 'FINISHER', 'write 0x5555 → power off (exit 0); (code << 16) | 0x3333 → exit code; 0x7777 → reset (power off)')] },
  { base: 0x0200_0000, size: 0x10000, name: 'CLINT', registers: [
    r(0x0, 'msip', 'bit 0 → MSIP (machine software interrupt)'),
    r(0x4000, 'mtimecmp (low)', 'timer compare, low word; writing lowers MTIP'), r(0x4004, 'mtimecmp (high)', 'timer compare, high word'),
    r(0xbff8, 'mtime (low)', 'time in 10 MHz ticks (an input; writes ignored)'), r(0xbffc, 'mtime (high)', 'time, high word')] },
  { base: 0x0c00_0000, size: 0x400_0000, name: 'PLIC', registers: [
    ...PLIC_PRIORITIES,
    r(0x1000, 'pending', 'pending bits (read only)'), r(0x2000, 'enable', 'enable bits of the machine context'),
    r(0x200000, 'threshold', 'priority threshold'),
    r(0x200004, 'claim/complete', 'read: claim the highest pending enabled source; write: complete that source')] },
  { base: 0x1000_0000, size: 0x100, name: 'UART 16550 (PLIC source 10)', registers: [
    u(0, 'RBR/THR', 'read: receive buffer; write: transmit holding (DLAB=1: divisor latch low)'),
    u(1, 'IER', 'bit 0: receive-data interrupt (DLAB=1: divisor latch high)'),
    u(2, 'IIR/FCR', 'read: interrupt identification; write: FIFO control'), u(3, 'LCR', 'line control (bit 7 DLAB)'),
    u(4, 'MCR', 'modem control'), u(5, 'LSR', 'line status: bit 0 DR data ready, bit 5 THRE, bit 6 TEMT'),
    u(6, 'MSR', 'modem status'), u(7, 'SCR', 'scratch')] },
  { base: 0x1000_1000, size: 0x100, name: 'Lockstep NIC (PLIC source 2)', registers: [
    r(0x00, 'ID', 'R: 0x43494e4c ("LNIC")'), r(0x04, 'STATUS', 'R: bit 0 a received packet is waiting'),
    r(0x08, 'IRQ_ENABLE', 'RW: bit 0 interrupt while a packet is waiting'), r(0x0c, 'RX_LEN', 'R: length of the head packet (0 if none)'),
    r(0x10, 'RX_ADDR', 'RW: guest address RX_POP copies the packet to'), r(0x14, 'RX_POP', 'W: 1 = copy the head packet to RX_ADDR and drop it'),
    r(0x18, 'TX_ADDR', 'RW: guest address of the packet to send'), r(0x1c, 'TX_LEN', 'RW: its length (1–1514)'),
    r(0x20, 'TX_SEND', 'W: 1 = send TX_LEN bytes from TX_ADDR'), r(0x24, 'RX_QUEUED', 'R: packets waiting (at most 64)'),
    r(0x28, 'RX_DROPPED', 'R: packets dropped because the queue was full')] },
  { base: 0x1000_2000, size: 0x100, name: 'Lockstep block disk (PLIC source 1)', registers: [
    r(0x00, 'ID', 'R: 0x4b4c424c ("LBLK")'), r(0x04, 'CAPACITY', 'R: disk size in 512-byte sectors'),
    r(0x08, 'SECTOR', 'RW: first sector of the request'), r(0x0c, 'COUNT', 'RW: sectors (1–128)'),
    r(0x10, 'ADDR', 'RW: guest buffer address'), r(0x14, 'OP', 'W: 1 = read, 2 = write (starts the request)'),
    r(0x18, 'STATUS', 'R: bit 0 BUSY, bit 1 DONE, bit 2 ERROR'), r(0x1c, 'IRQ_ENABLE', 'RW: bit 0 interrupt while DONE or ERROR'),
    r(0x20, 'ACK', 'W: 1 = clear DONE and ERROR')] },
  { base: 0x1000_3000, size: 0x100, name: 'entropy register', registers: [
    r(0x00, 'ENTROPY', 'R: 32 random bits from the environment (logged by the primary, replayed by the secondary)')] },
  { base: 0x8000_0000, size: 16 << 20, name: 'RAM (default 16 MiB)', registers: [] },
];

export interface DeviceHit {
  device: Device;
  offset: number;
  register?: DeviceRegister;
}

/** The device (and register, when the address falls inside one) at a physical address. */
export function deviceAt(addr: number): DeviceHit | undefined {
  const a = addr >>> 0;
  const device = DEVICES.find((d) => a >= d.base && a < d.base + d.size);
  if (!device) return undefined;
  const offset = a - device.base;
  const register = device.registers.find((x) => offset >= x.offset && offset < x.offset + x.width);
  return { device, offset, register };
}

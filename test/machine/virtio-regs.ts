// What a virtio-mmio driver knows, for the device tests that play one: the transport's registers, status bits, descriptor flags and the interrupt bits they end in.

export const R = {
  magic: 0x000, version: 0x004, deviceId: 0x008, deviceFeatures: 0x010, deviceFeaturesSel: 0x014,
  driverFeatures: 0x020, driverFeaturesSel: 0x024, queueSel: 0x030, queueNumMax: 0x034, queueNum: 0x038,
  queueReady: 0x044, queueNotify: 0x050, interruptStatus: 0x060, interruptAck: 0x064, status: 0x070,
  queueDesc: 0x080, queueDriver: 0x090, queueDevice: 0x0a0, config: 0x100,
} as const;
export const ACKNOWLEDGE = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8, NEEDS_RESET = 64;
export const F_NEXT = 1, F_WRITE = 2;
export const MIP_SEIP = 1 << 9, MIP_MEIP = 1 << 11;

/** What every device test's rig offers the shared checks. */
export interface DriverView {
  reg(offset: number): number;
  readonly mip: number;
  readonly outputs: readonly unknown[];
  readonly machine: { readonly halted: boolean };
}

/** The device stopped cleanly after a broken ring and says so: NEEDS_RESET, a configuration interrupt the driver hears, nothing sent, the machine running. */
export function assertStoppedCleanly(assert: typeof import('node:assert/strict'), what: string, rig: DriverView): void {
  assert.equal(rig.reg(R.status) & NEEDS_RESET, NEEDS_RESET, `${what}: DEVICE_NEEDS_RESET`);
  assert.equal(rig.reg(R.interruptStatus) & 2, 2, `${what}: configuration change interrupt`);
  assert.equal(rig.mip & MIP_SEIP, MIP_SEIP, `${what}: the driver hears of it`);
  assert.equal(rig.outputs.length, 0, `${what}: nothing went to the world`);
  assert.equal(rig.machine.halted, false);
}

/** PLIC source `source` at priority 1, enabled in the hart's S-mode context only (threshold 0); false when a write faults. */
export function enableInSContext(bus: { write(addr: number, size: 1 | 2 | 4, value: number): boolean }, plic: number, source: number): boolean {
  return bus.write(plic + 4 * source, 4, 1) && bus.write(plic + 0x2080, 4, 1 << source) && bus.write(plic + 0x201000, 4, 0);
}

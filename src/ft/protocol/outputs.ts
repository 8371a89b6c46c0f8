// The Output Rule: a primary's output leaves only once the secondary acknowledged the log entry that produced it.

import type { GuestOutput } from '../../machine/types';
import type { LogicalVm } from '../logical-vm';
import type { HeldOutput, VmInstance } from './vm';
import { describeOutput } from './log';
import { packetClientId } from '../world/kv-protocol';
import { assert } from '../sim/assert';

const CONSOLE_CHARS_MAX = 1 << 20;

/** The primary produced `out` at `instret` (log entry `seq`): hold it or release it. */
export function onPrimaryOutput(c: LogicalVm, vm: VmInstance, out: GuestOutput, instret: number, seq: number): void {
  const producedNs = c.instantNs(vm, instret);
  if (out.kind === 'diskRequest' && out.op === 'read') {
    // A read changes nothing outside the VM: it need not wait for the secondary.
    c.submitDisk(vm, { id: out.id, op: 'read', sector: out.sector, count: out.count }, producedNs);
    return;
  }
  const held: HeldOutput = { seq, instret, out, producedNs };
  if (outputRuleApplies(c, vm)) {
    // releaseAcked releases a prefix: the held outputs must wait in log order.
    assert(vm.held.length === 0 || vm.held[vm.held.length - 1].seq < seq, 'held outputs wait in log order');
    vm.held.push(held);
    requestFlush(c, vm, producedNs);
    return;
  }
  release(c, vm, held, producedNs);
}

export function outputRuleApplies(c: LogicalVm, vm: VmInstance): boolean {
  return vm.logging && c.scenario.ft.outputRule && c.scenario.whatIf.outputRule;
}

/** Releases every held output the secondary has acknowledged. */
export function releaseAcked(c: LogicalVm, vm: VmInstance): void {
  let n = 0;
  while (n < vm.held.length && vm.held[n].seq <= vm.sender.ackedSeq) n++;
  for (const h of vm.held.splice(0, n)) release(c, vm, h, c.nowNs);
}

/** Releases everything held (the primary no longer has a secondary to wait for). */
export function releaseAll(c: LogicalVm, vm: VmInstance): void {
  for (const h of vm.held.splice(0)) release(c, vm, h, c.nowNs);
}

/** An output leaves the protected VM: console byte, packet to a client, or write to shared storage. */
export function release(c: LogicalVm, vm: VmInstance, h: HeldOutput, atNs: number): void {
  vm.sender.noteReleased(h.seq);
  c.stats.released++;
  c.checkers.released(vm, h, atNs);
  const origin = { vm: vm.id, epoch: vm.epoch, instret: h.instret };
  const out = h.out;
  switch (out.kind) {
    case 'uart':
      if (c.consoleText.length < CONSOLE_CHARS_MAX) c.consoleText += String.fromCharCode(out.byte);
      break;
    case 'nicTx': {
      c.addTrace({ kind: 'release', vm: vm.id, host: vm.host, text: `released ${describeOutput(out)}`, data: { instret: h.instret, heldNs: atNs - h.producedNs } }, atNs);
      const client = packetClientId(out.packet);
      const arrival = c.network.send('client', vm.host, 'clients', out.packet.length, atNs, false);
      if (arrival !== null && client > 0) c.schedule(arrival, { t: 'pktToClient', of: c.index, client, packet: out.packet, origin });
      break;
    }
    case 'netTx': {
      // An Ethernet frame onto the clients' network: the world's ARP and the clients' TCP take it (world/tcp-transport.ts).
      const arrival = c.network.send('client', vm.host, 'clients', out.frame.length, atNs, false);
      if (arrival !== null) c.schedule(arrival, { t: 'frameToClients', of: c.index, frame: out.frame, origin });
      break;
    }
    case 'diskRequest':
      c.addTrace({ kind: 'release', vm: vm.id, host: vm.host, text: `released ${describeOutput(out)}`, data: { instret: h.instret, heldNs: atNs - h.producedNs } }, atNs);
      c.submitDisk(vm, { id: out.id, op: out.op, sector: out.sector, count: out.count, data: out.data }, atNs);
      break;
    case 'exit':
    case 'timerArm':
      break;
  }
  c.onRelease(vm, h.seq, atNs);
}

/** An output waits for an acknowledgement: send the log now rather than at the next periodic flush. */
function requestFlush(c: LogicalVm, vm: VmInstance, atNs: number): void {
  if (vm.urgentFlushNs !== null && vm.urgentFlushNs <= atNs) return;
  vm.urgentFlushNs = atNs;
  c.schedule(atNs, { t: 'flush', vm: vm.id, urgent: true });
}

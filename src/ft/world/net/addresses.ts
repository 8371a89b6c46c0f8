// The world's fixed addressing plan on the guest's Ethernet: the VM's MAC, IP and port, each client's MAC, IP and ports, and deterministic initial sequence numbers.

import { assert } from '../../sim/assert';
import { ipv4 } from './frames';

/**
 * The VM's MAC, 52:54:00:12:34:56. It must equal VIRTIO_NET_MAC in src/machine/devices/virtio-net.ts (the device
 * the guest's frames leave through); the world keeps its own copy so that it depends on nothing of the machine.
 */
export const VM_MAC = 0x525400123456;
/** The guest configures eth0 as 10.0.0.2/24 (scripts/linux/init/tcp.c), so every client is on-link and ARPed for directly. */
export const VM_IP = ipv4(10, 0, 0, 2);
export const VM_NETMASK = ipv4(255, 255, 255, 0);
export const VM_TCP_PORT = 7000;
/** Client ids are 1..MAX_CLIENTS: IP 10.0.0.(10 + id) stays below the subnet's broadcast address. */
export const MAX_CLIENTS = 200;
const CLIENT_IP_BASE = ipv4(10, 0, 0, 10);
/** 02:00:0a:00:00:00: locally administered (bit 1 of the first byte), unicast (bit 0 clear); the id is the last byte. */
const CLIENT_MAC_BASE = 0x02000a000000;
export const CLIENT_PORT_BASE = 40000;
/** Connections a client opens before its ports come round again: 40000 + id + 200·k stays ≤ 65535 for k < 127. */
export const CLIENT_PORTS_PER_CLIENT = Math.floor((0xffff - CLIENT_PORT_BASE - MAX_CLIENTS) / MAX_CLIENTS) + 1;
/** Each connection's ISN is this far past the previous one's (see clientIsn). */
const ISN_STEP = 1 << 20;
/** ISN_CYCLE · ISN_STEP = 2^32: the ISNs come round (exactly, without leaving the safe integers). */
const ISN_CYCLE = 4096;

function checkClient(clientId: number): void {
  assert(Number.isInteger(clientId) && clientId >= 1 && clientId <= MAX_CLIENTS, 'client id is 1..MAX_CLIENTS');
}

/** 10.0.0.(10 + clientId). */
export function clientIp(clientId: number): number {
  checkClient(clientId);
  return (CLIENT_IP_BASE + clientId) >>> 0;
}

/** 02:00:0a:00:00:<clientId>. */
export function clientMac(clientId: number): number {
  checkClient(clientId);
  return CLIENT_MAC_BASE + clientId;
}

/** The client whose IP this is, or null (any other address: the VM's, the broadcast, strangers). */
export function clientIdOfIp(ip: number): number | null {
  const id = ip - CLIENT_IP_BASE;
  return Number.isInteger(id) && id >= 1 && id <= MAX_CLIENTS ? id : null;
}

/**
 * Local port of the client's `connNo`-th connection (0-based): 40000 + clientId first, then 200 further per
 * connection, every client's ports distinct; after CLIENT_PORTS_PER_CLIENT connections a port is used again.
 */
export function clientPort(clientId: number, connNo: number): number {
  checkClient(clientId);
  assert(Number.isInteger(connNo) && connNo >= 0, 'connection number is a non-negative integer');
  return CLIENT_PORT_BASE + clientId + MAX_CLIENTS * (connNo % CLIENT_PORTS_PER_CLIENT);
}

/**
 * Initial sequence number of the client's `connNo`-th connection: a fixed mix of the client id, plus 2^20 per
 * connection. No randomness: one scenario, one set of ISNs. Successive ISNs on a reused port (127 connections
 * apart) differ by 127 · 2^20 < 2^31, so Linux, holding the previous connection in TIME_WAIT, takes the new SYN as
 * newer as long as that connection carried less than 127 MiB.
 */
export function clientIsn(clientId: number, connNo: number): number {
  checkClient(clientId);
  assert(Number.isInteger(connNo) && connNo >= 0, 'connection number is a non-negative integer');
  const base = (Math.imul(clientId, 0x9e3779b1) ^ 0x5bd1e995) >>> 0;
  return (base + (connNo % ISN_CYCLE) * ISN_STEP) >>> 0;
}

/** IP → MAC for the first `clients` clients: the table arpReply answers the guest from. */
export function clientArpTable(clients: number): Map<number, number> {
  assert(Number.isInteger(clients) && clients >= 0 && clients <= MAX_CLIENTS, 'client count is 0..MAX_CLIENTS');
  const table = new Map<number, number>();
  for (let id = 1; id <= clients; id++) table.set(clientIp(id), clientMac(id));
  return table;
}

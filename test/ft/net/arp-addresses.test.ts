// The world's addressing plan and its ARP responder: which addresses the clients get, and which of the guest's ARP requests the world answers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CLIENT_PORTS_PER_CLIENT, clientArpTable, clientIdOfIp, clientIp, clientIsn, clientMac, clientPort, MAX_CLIENTS, VM_IP, VM_MAC, VM_TCP_PORT,
} from '../../../src/ft/world/net/addresses';
import { arpReply, arpRequest } from '../../../src/ft/world/net/arp';
import { ARP_REPLY, ARP_REQUEST, buildArpFrame, formatIpv4, formatMac, ipv4, parseArp, parseEthernet } from '../../../src/ft/world/net/frames';

test('the plan: the VM at 10.0.0.2:7000 with QEMU\'s first MAC, client N at 10.0.0.(10+N) with 02:00:0a:00:00:NN', () => {
  assert.equal(formatIpv4(VM_IP), '10.0.0.2');
  assert.equal(VM_TCP_PORT, 7000);
  assert.equal(formatMac(VM_MAC), '52:54:00:12:34:56');
  assert.equal(formatIpv4(clientIp(1)), '10.0.0.11');
  assert.equal(formatIpv4(clientIp(MAX_CLIENTS)), '10.0.0.210');
  assert.equal(formatMac(clientMac(1)), '02:00:0a:00:00:01');
  assert.equal(formatMac(clientMac(200)), '02:00:0a:00:00:c8');
  assert.equal(Math.floor(clientMac(7) / 2 ** 40) & 3, 2, 'locally administered, unicast');
  for (const bad of [0, MAX_CLIENTS + 1, 1.5, -1]) assert.throws(() => clientIp(bad), /invariant/);
  assert.equal(clientIdOfIp(clientIp(42)), 42);
  for (const other of [VM_IP, ipv4(10, 0, 0, 10), ipv4(10, 0, 0, 211), ipv4(10, 0, 0, 255), ipv4(10, 0, 1, 11)]) assert.equal(clientIdOfIp(other), null);
});

test('client ports: 40000 + N first, every client\'s distinct, all valid, coming round after CLIENT_PORTS_PER_CLIENT connections', () => {
  assert.equal(clientPort(1, 0), 40001);
  assert.equal(clientPort(200, 0), 40200);
  assert.equal(clientPort(1, 1), 40201);
  const seen = new Set<number>();
  for (let id = 1; id <= MAX_CLIENTS; id++) {
    for (let k = 0; k < CLIENT_PORTS_PER_CLIENT; k++) {
      const p = clientPort(id, k);
      assert.ok(p > 40000 && p <= 0xffff);
      assert.ok(!seen.has(p), `port ${p} twice`);
      seen.add(p);
    }
    assert.equal(clientPort(id, CLIENT_PORTS_PER_CLIENT), clientPort(id, 0));
  }
});

test('ISNs: fixed per (client, connection), different across clients, 2^20 apart per connection, a reused port\'s ISN is newer', () => {
  assert.equal(clientIsn(3, 5), clientIsn(3, 5));
  const firsts = new Set(Array.from({ length: MAX_CLIENTS }, (_, i) => clientIsn(i + 1, 0)));
  assert.equal(firsts.size, MAX_CLIENTS);
  assert.equal((clientIsn(9, 1) - clientIsn(9, 0)) >>> 0, 1 << 20);
  const gap = (clientIsn(9, CLIENT_PORTS_PER_CLIENT) - clientIsn(9, 0)) >>> 0;
  assert.ok(gap > 0 && gap < 2 ** 31, 'ahead of the previous connection on the same port, modulo 2^32');
  for (const k of [0, 4095, 4096, 100000]) assert.equal(clientIsn(200, k) >>> 0, clientIsn(200, k));
});

test('ARP: the world answers a request for a client\'s IP, broadcast or unicast to that client, and nothing else', () => {
  const table = clientArpTable(3);
  assert.equal(table.size, 3);
  const reply = arpReply(arpRequest(VM_MAC, VM_IP, clientIp(2)), table);
  assert.ok(reply !== null);
  const eth = parseEthernet(reply)!;
  assert.equal(eth.dstMac, VM_MAC);
  assert.equal(eth.srcMac, clientMac(2));
  assert.deepEqual(parseArp(eth.payload), { op: ARP_REPLY, senderMac: clientMac(2), senderIp: clientIp(2), targetMac: VM_MAC, targetIp: VM_IP });
  // Linux re-checks a stale entry with a unicast request to the MAC it has.
  const unicast = buildArpFrame({ op: ARP_REQUEST, senderMac: VM_MAC, senderIp: VM_IP, targetMac: 0, targetIp: clientIp(1) }, clientMac(1));
  assert.notEqual(arpReply(unicast, table), null);
  const misdirected = buildArpFrame({ op: ARP_REQUEST, senderMac: VM_MAC, senderIp: VM_IP, targetMac: 0, targetIp: clientIp(1) }, clientMac(2));
  assert.equal(arpReply(misdirected, table), null);
  assert.equal(arpReply(arpRequest(VM_MAC, VM_IP, clientIp(4)), table), null, 'not a client of this world');
  assert.equal(arpReply(arpRequest(VM_MAC, VM_IP, ipv4(10, 0, 0, 1)), table), null, 'no gateway');
  assert.equal(arpReply(reply, table), null, 'a reply is not answered');
  assert.equal(arpReply(new Uint8Array(10), table), null);
});

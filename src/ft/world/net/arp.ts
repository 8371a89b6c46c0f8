// The world's ARP responder: answers the guest's "who has <ip>?" for the addresses the world owns (the clients), so the guest can reach them.

import { ARP_REPLY, ARP_REQUEST, BROADCAST_MAC, buildArpFrame, ETHERTYPE_ARP, parseArp, parseEthernet } from './frames';

/**
 * The ARP reply to `frame` when it is an ARP request (broadcast, or unicast to the MAC the world answers with) for an IP
 * in `table` (IP → the MAC the world answers with); null for anything else, malformed frames included.
 */
export function arpReply(frame: Uint8Array, table: ReadonlyMap<number, number>): Uint8Array | null {
  const eth = parseEthernet(frame);
  if (eth === null || eth.ethertype !== ETHERTYPE_ARP) return null;
  const req = parseArp(eth.payload);
  if (req === null || req.op !== ARP_REQUEST) return null;
  const mac = table.get(req.targetIp);
  if (mac === undefined) return null;
  if (eth.dstMac !== BROADCAST_MAC && eth.dstMac !== mac) return null;
  return buildArpFrame({ op: ARP_REPLY, senderMac: mac, senderIp: req.targetIp, targetMac: req.senderMac, targetIp: req.senderIp }, req.senderMac);
}

/** An ARP request from (mac, ip) asking who has `targetIp`, broadcast (for tests, or a world that announces itself). */
export function arpRequest(senderMac: number, senderIp: number, targetIp: number): Uint8Array {
  return buildArpFrame({ op: ARP_REQUEST, senderMac, senderIp, targetMac: 0, targetIp }, BROADCAST_MAC);
}

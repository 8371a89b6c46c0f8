// The simulation's event vocabulary: plain data only, so the queue can be checkpointed and replayed.
//
// An event about a VM instance names it by id; one about a VM with no instance in it (HA, its clients'
// packets) names the VM by its index in the cluster (`of`).

import type { FaultSpec } from './scenario';
import type { LogEntry } from './protocol/log';
import type { OutputOrigin } from './world/clients';

export interface DiskReq { id: number; op: 'read' | 'write'; sector: number; count: number; data?: Uint8Array }

export type SimEvent =
  | { t: 'fault'; fault: FaultSpec; index: number }
  | { t: 'flush'; vm: number; urgent?: boolean }
  | { t: 'tick'; vm: number }
  | { t: 'logMsg'; to: number; from: number; entries: LogEntry[]; covered: number; releasedSeq: number }
  | { t: 'ackMsg'; to: number; from: number; seq: number; applied: number }
  | { t: 'hbMsg'; to: number; from: number }
  | { t: 'timer'; vm: number; gen: number }
  | { t: 'storageDone'; vm: number; req: DiskReq }
  | { t: 'tasDone'; vm: number; generation: number }
  | { t: 'goLive'; vm: number }
  | { t: 'respawnDone'; vm: number }
  | { t: 'haCheck'; of: number }
  | { t: 'vmotionDone'; vm: number; to: string }
  | { t: 'drs' }
  | { t: 'clientSend'; of: number; client: number }
  | { t: 'clientTimeout'; of: number; client: number; reqId: number }
  | { t: 'pktToVm'; of: number; packet: Uint8Array }
  | { t: 'pktToClient'; of: number; client: number; packet: Uint8Array; origin: OutputOrigin }
  /** An Ethernet frame for the VM's virtio network device, and one from it onto the clients' network. */
  | { t: 'frameToVm'; of: number; frame: Uint8Array }
  | { t: 'frameToClients'; of: number; frame: Uint8Array; origin: OutputOrigin }
  /** A client's TCP retransmission timer, due at `atNs` when it was set (a timer set again since leaves this one stale). */
  | { t: 'tcpTimer'; of: number; client: number; atNs: number };

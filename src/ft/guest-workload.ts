// The default client workload goes only to a guest with a NIC driver: decided from the program's bytes before the run.
//
// Clients send requests to the protected VM's NIC. A guest that never drives the NIC can only leave
// them unanswered: their retries and the packets the primary logs for nothing would be noise. So a
// scenario that names no `workload` gets the default clients only when its program addresses the
// NIC's page (0x1000_1000–0x1000_1fff): some instruction loads that page's address (`lui rd, 0x10001`,
// which is how `li` and compilers build it) or some aligned data word points into it. A scenario that
// names a `workload` runs it as written.

import type { Program, Segment } from '../machine/program';
import { MemMap } from '../machine/types';
import type { Scenario } from './scenario';
import { workloadFromDefaults } from './scenario';

const NIC_PAGE = MemMap.nic >>> 12;
const OPCODE_MASK = 0x7f;
const OPCODE_LUI = 0x37;

/** True when some instruction or data word of the program holds the NIC's address (see the file comment). */
export function programAddressesNic(program: Program): boolean {
  return program.segments.some((seg) => loadsNicPage(seg) || pointsIntoNicPage(seg));
}

/** The word of `data` at byte offset `i`, little-endian. */
function wordAt(data: Uint8Array, i: number): number {
  return (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) >>> 0;
}

/** A `lui rd, 0x10001` at any halfword (with compressed code, instructions are 2-byte aligned). */
function loadsNicPage(seg: Segment): boolean {
  const data = seg.data;
  for (let i = (seg.addr & 1); i + 4 <= data.length; i += 2) {
    const w = wordAt(data, i);
    if ((w & OPCODE_MASK) === OPCODE_LUI && w >>> 12 === NIC_PAGE) return true;
  }
  return false;
}

/** An aligned data word whose value lies in the NIC's page (a pointer to a NIC register). */
function pointsIntoNicPage(seg: Segment): boolean {
  const data = seg.data;
  for (let i = (4 - (seg.addr & 3)) & 3; i + 4 <= data.length; i += 4) {
    if (wordAt(data, i) >>> 12 === NIC_PAGE) return true;
  }
  return false;
}

/**
 * The scenario a run of `program` uses: `s` itself, or, when `s` named no workload and the program
 * never addresses the NIC, `s` with no clients.
 */
export function withGuestWorkload(s: Scenario, program: Program): Scenario {
  if (!workloadFromDefaults(s) || s.workload.clients === 0 || programAddressesNic(program)) return s;
  return { ...s, workload: { ...s.workload, clients: 0 } };
}

// Timeline test data: a real failover run's `timeline` reply (examples/kvstore/failover.json through the debug runtime) and synthetic big ones.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LockstepRuntime } from '../../src/debug/runtime';
import { prepareLaunch } from '../../src/debug/launch';
import { timeline } from '../../src/debug/inspect';
import type { RawEvent, TimelineBody } from '../../src/extension/timeline-model';

const ROOT = join(__dirname, '../..');

/** The failover demo (hostCrash @primary at 100 ms, go-live on host-b, respawn on host-c) in the debug runtime, stopped at `untilMs`. */
export async function failoverRuntime(untilMs = 300): Promise<LockstepRuntime> {
  const scenario = JSON.parse(readFileSync(join(ROOT, 'examples/kvstore/failover.json'), 'utf8')) as Record<string, unknown>;
  const l = prepareLaunch({ ...scenario, cwd: join(ROOT, 'examples/kvstore') });
  const rt = new LockstepRuntime({ scenario: l.scenario, program: l.program, programPath: l.programPath });
  await rt.runUntil(untilMs * 1e6);
  return rt;
}

/**
 * The example cluster (examples/cluster/cluster.json: 12 VMs on 6 hosts, esx-1 crashing at 150 ms, kv-1 and diskhog
 * failing over) in the debug runtime with its FT VMs shown (showVms' default), stopped at `untilMs`.
 */
export async function clusterRuntime(untilMs = 250): Promise<LockstepRuntime> {
  const scenario = JSON.parse(readFileSync(join(ROOT, 'examples/cluster/cluster.json'), 'utf8')) as Record<string, unknown>;
  const l = prepareLaunch({ ...scenario, cwd: join(ROOT, 'examples/cluster') });
  const rt = new LockstepRuntime({ scenario: l.scenario, program: l.program, programPath: l.programPath, programs: l.programs, showVms: l.showVms });
  await rt.runUntil(untilMs * 1e6);
  return rt;
}

/** What the adapter's `timeline` request answers, through JSON as over DAP. */
export function timelineBody(rt: LockstepRuntime): TimelineBody {
  return JSON.parse(JSON.stringify(timeline(rt))) as TimelineBody;
}

const IMPORTANT: RawEvent['kind'][] = ['fault', 'crash', 'detect', 'arbitrate', 'goLive', 'respawnStart', 'respawnDone'];

/**
 * `n` events over 10 s on three hosts, mostly output releases (held 0.1–2 ms), with a throttle
 * every 200 events and an important event every 97 (about 1 000 of them), plus a lag sample per 0.1 ms.
 */
export function syntheticBody(n: number): TimelineBody {
  const endNs = 10_000e6;
  const events: RawEvent[] = [{ timeNs: 0, kind: 'state', text: 'Protected', data: { protected: true } }];
  for (let i = 0; i < n; i++) {
    const timeNs = Math.round(((i + 1) / (n + 1)) * endNs);
    const vm = i % 2 === 0 ? 1 : 2;
    if (i % 97 === 0) {
      const kind = IMPORTANT[(i / 97) % IMPORTANT.length];
      events.push({ timeNs, kind, vm, host: vm === 1 ? 'host-a' : 'host-b', text: `${kind} number ${i}`, data: kind === 'fault' ? { fault: 'linkDegrade' } : kind === 'arbitrate' ? { won: true } : undefined });
    } else if (i % 200 === 1) {
      events.push({ timeNs, kind: 'throttle', vm: 1, host: 'host-a', text: 'primary CPU throttled' });
    } else {
      events.push({ timeNs, kind: 'release', vm: 1, host: 'host-a', text: 'released packet of 24 bytes', data: { instret: i * 10, heldNs: 100_000 + (i % 20) * 100_000 } });
    }
  }
  const lag = [];
  for (let t = 0; t <= endNs; t += 100_000) lag.push({ timeNs: t, lagNs: t % 1_000e6 < 50e6 ? null : 200_000 + 150_000 * Math.sin(t / 7e7) });
  return {
    nowNs: endNs / 2, frontierNs: endNs, endNs, protection: 'Protected',
    hosts: ['host-a', 'host-b', 'host-c'].map((name) => ({ name, up: true, mips: 100, slowFactor: 1 })),
    vms: [
      { id: 1, role: 'primary', host: 'host-a', status: 'running', instret: 1, lagNs: 0, held: 0 },
      { id: 2, role: 'secondary', host: 'host-b', status: 'running', instret: 1, lagNs: 0, held: 0 },
    ],
    events, lag, failovers: [], checkpoints: [{ name: 'before', nowNs: endNs / 4 }],
  };
}

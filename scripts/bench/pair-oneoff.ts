// Figure 10: a protected pair as users run it, one `lockstep run` process from start to exit, against one VM (`lockstep exec`, or the same scenario with FT off).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, round, spawnTimed } from './util';

export interface PairRow {
  /** What the pair runs, and what one VM runs for comparison. */
  name: string; oneVm: string;
  oneVmMs: number;
  /** In-thread secondary, and the secondary on a worker thread (--parallel-secondary): median process ms. */
  pairMs: number; parallelMs: number;
  /** Paired ratios (median over rounds of pair / one VM in the same round; target ≤ 1.3). */
  pairRatio: number; parallelRatio: number;
  /** Every pair run ended with every checker ok and the same trace, in both modes. */
  ok: boolean;
}

export interface PairReport { rows: PairRow[]; problems: string[] }

interface Case { name: string; oneVm: string; oneVmArgs: string[]; pairArgs: string[] }

function lockstep(root: string, args: string[]): { ms: number; out: string } {
  return spawnTimed(process.execPath, [join(root, 'bin', 'lockstep.js'), ...args]);
}

/** Scenario files for the cases, written into `dir` (programs by absolute path). */
function cases(root: string, dir: string): Case[] {
  const crc = join(root, 'examples', 'bench', 'crc32-rv32im.elf');
  const kvRaw = JSON.parse(readFileSync(join(root, 'examples', 'kvstore', 'failover.json'), 'utf8'));
  const kvElf = join(root, 'examples', 'kvstore', kvRaw.program);
  const write = (name: string, raw: object): string => {
    const p = join(dir, `${name}.json`);
    writeFileSync(p, JSON.stringify(raw));
    return p;
  };
  const crcBase = { program: crc, untilMs: 1200, workload: { clients: 0 } };
  const crcOn = write('crc32-pair', crcBase);
  const crcFailover = write('crc32-failover', { ...crcBase, faults: [{ atMs: 500, kind: 'hostCrash', host: '@primary' }] });
  const kv = (name: string, enabled: boolean, faults: boolean) => write(name, { ...kvRaw, program: kvElf, ft: { ...kvRaw.ft, enabled }, faults: faults ? kvRaw.faults : [] });
  const kvOff = kv('kvstore-off', false, false);
  return [
    { name: 'crc32 to power-off', oneVm: 'lockstep exec', oneVmArgs: ['exec', crc], pairArgs: ['run', crcOn, '--json'] },
    { name: 'crc32, primary host crash at 500 ms', oneVm: 'lockstep exec', oneVmArgs: ['exec', crc], pairArgs: ['run', crcFailover, '--json'] },
    { name: `kvstore ${kvRaw.untilMs} ms, no faults`, oneVm: 'FT off', oneVmArgs: ['run', kvOff, '--json'], pairArgs: ['run', kv('kvstore-on', true, false), '--json'] },
    { name: `kvstore ${kvRaw.untilMs} ms, failover.json`, oneVm: 'FT off', oneVmArgs: ['run', kvOff, '--json'], pairArgs: ['run', kv('kvstore-failover', true, true), '--json'] },
  ];
}

interface Verdict { ok: boolean; traceHash: string }
const verdict = (out: string): Verdict => {
  const s = JSON.parse(out) as Verdict;
  return { ok: s.ok, traceHash: s.traceHash };
};

/** One case, `reps` rounds of (one VM, pair, pair with a worker secondary), each a new process. */
function oneCase(root: string, c: Case, reps: number): { row: PairRow; problems: string[] } {
  const rounds = Array.from({ length: reps }, () => {
    const one = lockstep(root, c.oneVmArgs);
    const pair = lockstep(root, c.pairArgs);
    const par = lockstep(root, [...c.pairArgs, '--parallel-secondary']);
    return { one: one.ms, pair: pair.ms, par: par.ms, v: [verdict(pair.out), verdict(par.out)] };
  });
  const vs = rounds.flatMap((r) => r.v);
  const ok = vs.every((v) => v.ok && v.traceHash === vs[0].traceHash);
  const ratio = (f: (r: (typeof rounds)[number]) => number) => round(median(rounds.map((r) => f(r) / r.one)), 2);
  const row: PairRow = {
    name: c.name, oneVm: c.oneVm, oneVmMs: round(median(rounds.map((r) => r.one)), 1),
    pairMs: round(median(rounds.map((r) => r.pair)), 1), parallelMs: round(median(rounds.map((r) => r.par)), 1),
    pairRatio: ratio((r) => r.pair), parallelRatio: ratio((r) => r.par), ok,
  };
  return { row, problems: ok ? [] : [`${c.name}: a pair run failed a checker or the two modes' traces differ`] };
}

/** Every case; `dir` is a scratch folder for the scenario files. */
export function benchPairOneOff(root: string, dir: string, reps: number, onRow: (r: PairRow) => void = () => {}): PairReport {
  const rows: PairRow[] = [];
  const problems: string[] = [];
  for (const c of cases(root, dir)) {
    const r = oneCase(root, c, reps);
    rows.push(r.row);
    problems.push(...r.problems);
    onRow(r.row);
  }
  return { rows, problems };
}

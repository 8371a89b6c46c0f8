// Where `lockstep run` puts the secondary: --secondary auto|thread|worker (and --parallel-secondary), auto by the run's length and the cores.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../src/ft/scenario';
import { AUTO_WORKER_MIN_INSTR, horizonInstructions, placeSecondary, secondaryChoice } from '../../src/cli/secondary-place';
import { UsageError } from '../../src/cli/io';
import { cli } from './run-cli';
import { join } from 'node:path';

const scenario = (untilMs: number, mips = 100, enabled = true) =>
  parseScenario({ program: 'x.elf', untilMs, hosts: [{ name: 'a', mips }, { name: 'b', mips: 1 }], placement: { primary: 'a', secondary: 'b' }, ft: { enabled } });

test('the flags: auto by default, --parallel-secondary means worker, anything else is a usage error', () => {
  assert.equal(secondaryChoice(undefined, false), 'auto');
  assert.equal(secondaryChoice('thread', false), 'thread');
  assert.equal(secondaryChoice('worker', false), 'worker');
  assert.equal(secondaryChoice(undefined, true), 'worker');
  assert.equal(secondaryChoice('auto', true), 'worker');
  assert.throws(() => secondaryChoice('thread', true), UsageError);
  assert.throws(() => secondaryChoice('Worker', false), /--secondary expects one of auto, thread, worker/);
});

test('auto: a worker only for a long horizon on the primary\'s host, with FT on and a second core', () => {
  assert.equal(horizonInstructions(scenario(1000, 100)), 1e8, 'the primary host\'s MIPS, not the secondary\'s');
  const long = scenario(AUTO_WORKER_MIN_INSTR / 100_000, 100);
  assert.equal(placeSecondary('auto', long, 2), 'worker');
  assert.equal(placeSecondary('auto', long, 1), 'thread', 'one core: nothing to gain');
  assert.equal(placeSecondary('auto', scenario(AUTO_WORKER_MIN_INSTR / 100_000 - 1, 100), 2), 'thread', 'just short of the bound');
  assert.equal(placeSecondary('auto', scenario(AUTO_WORKER_MIN_INSTR / 100_000, 100, false), 2), 'thread', 'no secondary');
  assert.equal(placeSecondary('thread', long, 2), 'thread');
  assert.equal(placeSecondary('worker', scenario(10), 1), 'worker');
});

test('run --secondary worker and --secondary thread print the same run', async () => {
  const failover = join(__dirname, '../../examples/kvstore/failover.json');
  const a = await cli('run', failover, '--until-ms', '150', '--json', '--secondary', 'thread');
  const b = await cli('run', failover, '--until-ms', '150', '--json', '--secondary=worker');
  assert.equal(a.code, 0);
  assert.equal(b.code, 0, b.err);
  assert.equal(JSON.parse(b.out).traceHash, JSON.parse(a.out).traceHash);
  assert.equal(b.err, '', 'no fallback');
});

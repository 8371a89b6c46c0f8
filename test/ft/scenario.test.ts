// Scenario validation: defaults for everything but the program, and errors that name the key.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario, ScenarioError } from '../../src/ft/scenario';

function problems(raw: unknown): string[] {
  try {
    parseScenario(raw);
  } catch (e) {
    assert.ok(e instanceof ScenarioError, String(e));
    return e.problems;
  }
  return [];
}

test('only the program is required; everything else has a default', () => {
  const s = parseScenario({ program: 'a.elf' });
  assert.equal(s.seed, 1);
  assert.equal(s.hosts.length, 3);
  assert.equal(s.placement.primary, 'host-a');
  assert.equal(s.placement.secondary, 'host-b');
  assert.equal(s.ft.outputRule, true);
  assert.deepEqual(s.whatIf, { outputRule: true, omitLogKinds: [], disable: [] });
  assert.deepEqual(problems({}), ['(top level): needs `program` (one VM) or `vms` (a cluster)']);
  assert.deepEqual(problems({ program: 'a.s', vms: [{ name: 'x', program: 'b.s' }] }), ['(top level): give `program` or `vms`, not both']);
});

test('unknown keys and wrong values are named', () => {
  assert.match(problems({ program: 'a', sede: 3 })[0], /^sede: unknown key/);
  assert.match(problems({ program: 'a', ft: { heartbeatMs: 3 } })[0], /^ft\.heartbeatMs: unknown key/);
  assert.match(problems({ program: 'a', seed: -1 })[0], /^seed: must be at least 0/);
  assert.match(problems({ program: 'a', seed: 1.5 })[0], /^seed: must be an integer/);
  assert.match(problems({ program: 'a', faults: [{ atMs: 1, kind: 'meteor' }] })[0], /^faults\[0\]\.kind: must be one of/);
  assert.match(problems({ program: 'a', hosts: [{ name: 'x' }] })[0], /^hosts: needs at least 2/);
  assert.match(problems({ program: 'a', network: { logging: { lossRate: 2 } } })[0], /^network\.logging\.lossRate: must be at most 1/);
  // A zero-latency link would bound the simulation's quanta to nanoseconds (see Cluster.quantumNsMax).
  assert.match(problems({ program: 'a', faults: [{ atMs: 1, kind: 'linkDegrade', latencyUs: 0 }] })[0], /^faults\[0\]\.latencyUs: must be at least 1/);
});

test('cross-field problems: unknown hosts, same host twice, mixed processor families, faults missing fields', () => {
  assert.match(problems({ program: 'a', placement: { primary: 'nowhere' } }).join(), /placement\.primary: unknown host "nowhere"/);
  assert.match(problems({ program: 'a', placement: { primary: 'host-a', secondary: 'host-a' } }).join(), /different hosts/);
  assert.match(problems({ program: 'a', hosts: [{ name: 'a' }, { name: 'b', family: 'other' }] }).join(), /same processor family/);
  assert.match(problems({ program: 'a', faults: [{ atMs: 1, kind: 'hostCrash' }] }).join(), /faults\[0\]\.host: hostCrash needs a host/);
  assert.match(problems({ program: 'a', faults: [{ atMs: 1, kind: 'slowHost', host: '@primary' }] }).join(), /factor/);
  assert.match(problems({ program: 'a', faults: [{ atMs: 1, kind: 'partition', groups: [['host-a']] }] }).join(), /at least two groups/);
  assert.match(problems({ program: 'a', faults: [{ atMs: 1, kind: 'hostCrash', host: 'zz' }] }).join(), /unknown host "zz"/);
});

test('non-objects are rejected with a clear message', () => {
  assert.match(problems(null)[0], /must be an object/);
  assert.match(problems([1])[0], /must be an object/);
  assert.match(problems('x')[0], /must be an object/);
});

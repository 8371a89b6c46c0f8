// Placement of a multi-VM HA/DRS cluster with FT: each vSphere rule holds, blocks with a reason, and is reported when broken.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  admissionAllows,
  placePrimary,
  placeSecondary,
  restartOrder,
  ruleViolations,
  type PlacedInstance,
  type Placement,
  type PlacementHost,
  type PlacementRules,
  type PlacementView,
  type RestartPriority,
  type VmToPlace,
} from '../../src/ft/placement';

const RULES: PlacementRules = { maxFtVmsPerHost: 4, maxFtVcpusPerHost: 8, hostFailuresTolerated: 0, vmAntiAffinity: [] };

function host(name: string, over: Partial<PlacementHost> = {}): PlacementHost {
  return { name, family: 'rv-gen1', up: true, ramMiB: 4096, reachable: true, ...over };
}

function vm(name: string, over: Partial<VmToPlace> = {}): VmToPlace {
  return { name, ft: true, ramMiB: 1024, vcpus: 1, allowedHosts: null, ...over };
}

function inst(v: string, role: PlacedInstance['role'], on: string, over: Partial<PlacedInstance> = {}): PlacedInstance {
  return { vm: v, role, host: on, ft: true, ramMiB: 1024, vcpus: 1, ...over };
}

function view(hosts: PlacementHost[], instances: PlacedInstance[] = [], rules: Partial<PlacementRules> = {}): PlacementView {
  return { hosts, instances, rules: { ...RULES, ...rules } };
}

const everywhere = (): boolean => true;

function hostOf(p: Placement): string | null {
  return p.host;
}

function reasonOf(p: Placement): string {
  assert.equal(p.host, null, `expected no host, got ${p.host}`);
  return 'reason' in p ? p.reason : '';
}

const abc = (): PlacementHost[] => [host('host-a'), host('host-b'), host('host-c')];

test('FT limit per host: 5 FT VMs on 6 hosts fit with maxFtVmsPerHost 2, and after 2 hosts fail 2 secondaries cannot be placed', () => {
  const hosts = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((n) => host(n));
  const vms = ['vm1', 'vm2', 'vm3', 'vm4', 'vm5'].map((n) => vm(n));
  const v = view(hosts, [], { maxFtVmsPerHost: 2 });
  for (const x of vms) v.instances.push(inst(x.name, 'primary', hostOf(placePrimary(v, x))!));
  for (const x of vms) {
    const primary = v.instances.find((i) => i.vm === x.name)!.host;
    v.instances.push(inst(x.name, 'secondary', hostOf(placeSecondary(v, x, primary, everywhere))!));
  }
  assert.deepEqual(ruleViolations(v), []);
  assert.deepEqual(
    v.instances.map((i) => `${i.vm}/${i.role[0]}@${i.host}`),
    ['vm1/p@h1', 'vm2/p@h2', 'vm3/p@h3', 'vm4/p@h4', 'vm5/p@h5', 'vm1/s@h6', 'vm2/s@h1', 'vm3/s@h2', 'vm4/s@h3', 'vm5/s@h4'],
  );

  // h1 and h2 fail: their instances are gone; a surviving secondary becomes the primary (FT failover), a VM with neither restarts (HA).
  for (const h of v.hosts) h.up = !['h1', 'h2'].includes(h.name);
  v.instances = v.instances.filter((i) => v.hosts.find((h) => h.name === i.host)!.up);
  for (const x of vms) {
    const left = v.instances.filter((i) => i.vm === x.name);
    if (left.length === 1) left[0].role = 'primary';
    if (left.length === 0) v.instances.push(inst(x.name, 'primary', hostOf(placePrimary(v, x))!));
  }
  const failed: string[] = [];
  for (const x of vms) {
    if (v.instances.some((i) => i.vm === x.name && i.role === 'secondary')) continue;
    const primary = v.instances.find((i) => i.vm === x.name)!.host;
    const p = placeSecondary(v, x, primary, everywhere);
    if (p.host === null) failed.push(`${x.name}: ${p.reason}`);
    else v.instances.push(inst(x.name, 'secondary', p.host));
  }
  assert.deepEqual(ruleViolations(v), []);
  assert.equal(v.instances.filter((i) => i.role === 'primary').length, 5, 'every VM runs again');
  assert.equal(v.instances.length, 8, '4 hosts × 2 FT instances');
  // vm1's secondary took over on h6, vm2 (both instances lost) restarted on h5, vm2's new secondary takes h6's last slot;
  // vm1 (only h6 free, its primary's host) and vm3 find every other host at the limit.
  assert.deepEqual(
    v.instances.map((i) => `${i.vm}/${i.role[0]}@${i.host}`),
    ['vm3/p@h3', 'vm4/p@h4', 'vm5/p@h5', 'vm1/p@h6', 'vm4/s@h3', 'vm5/s@h4', 'vm2/p@h5', 'vm2/s@h6'],
  );
  assert.deepEqual(failed, [
    'vm1: every eligible host already runs 2 FT VMs (maxFtVmsPerHost)',
    'vm3: every eligible host already runs 2 FT VMs (maxFtVmsPerHost)',
  ]);
});

test('FT limit per host with maxFtVmsPerHost 1: one FT instance per host, non-FT VMs do not count', () => {
  const v = view(abc(), [inst('a', 'primary', 'host-a'), inst('b', 'primary', 'host-b'), inst('plain', 'primary', 'host-c', { ft: false })], {
    maxFtVmsPerHost: 1,
  });
  assert.deepEqual(placeSecondary(v, vm('a'), 'host-a', everywhere), { host: 'host-c' });
  v.instances.push(inst('a', 'secondary', 'host-c'));
  assert.equal(reasonOf(placeSecondary(v, vm('b'), 'host-b', everywhere)), 'every eligible host already runs 1 FT VM (maxFtVmsPerHost)');
  assert.equal(reasonOf(placePrimary(v, vm('c'))), 'every eligible host already runs 1 FT VM (maxFtVmsPerHost)');
  assert.equal(placePrimary(v, vm('plain2', { ft: false })).host, 'host-a', 'the limit is for FT VMs only');
});

test('FT vCPU limit per host counts the vCPUs of FT primaries and secondaries', () => {
  const v = view(abc(), [inst('big', 'primary', 'host-a', { vcpus: 3 }), inst('big', 'secondary', 'host-b', { vcpus: 3 })], {
    maxFtVcpusPerHost: 4,
  });
  assert.equal(placePrimary(v, vm('two', { vcpus: 2 })).host, 'host-c');
  v.instances.push(inst('other', 'primary', 'host-c', { vcpus: 3 }));
  assert.equal(placePrimary(v, vm('one', { vcpus: 1 })).host, 'host-a', '3 + 1 ≤ 4');
  assert.equal(
    reasonOf(placePrimary(v, vm('two', { vcpus: 2 }))),
    "every eligible host would run more than 4 FT vCPUs with two's 2 (maxFtVcpusPerHost)",
  );
  assert.equal(placePrimary(v, vm('plain', { ft: false, vcpus: 2 })).host, 'host-a', 'non-FT vCPUs do not count');
});

test('pair anti-affinity: the secondary never runs on its primary\'s host', () => {
  const v = view([host('host-a'), host('host-b', { up: false })], [inst('x', 'primary', 'host-a')]);
  assert.equal(reasonOf(placeSecondary(v, vm('x'), 'host-a', everywhere)), 'every host of family rv-gen1 other than the primary\'s is down');
  assert.equal(reasonOf(placeSecondary(view([host('host-a')]), vm('x'), 'host-a', everywhere)), "no host other than the primary's host-a");
  // Even when the primary's host is the emptiest and preferred.
  const w = view([host('host-a', { ramMiB: 65536 }), host('host-b')], []);
  assert.equal(placeSecondary(w, vm('x'), 'host-a', everywhere, 'host-a').host, 'host-b');
});

test('processor family: the secondary runs on the family of its primary\'s host', () => {
  const hosts = [host('host-a'), host('host-b', { family: 'rv-gen2' }), host('host-c')];
  const v = view(hosts, [inst('x', 'primary', 'host-a'), inst('y', 'primary', 'host-c', { ft: false, ramMiB: 2048 })]);
  assert.equal(placeSecondary(v, vm('x'), 'host-a', everywhere).host, 'host-c', 'host-b is emptier but of another family');
  hosts[2].family = 'rv-gen2';
  assert.equal(reasonOf(placeSecondary(v, vm('x'), 'host-a', everywhere)), "no host outside the primary's host of family rv-gen1");
  assert.equal(placeSecondary(v, vm('x'), 'host-c', everywhere).host, 'host-b', 'family of the primary\'s host, whatever it is');
});

test('logging path: canLog(primaryHost, host) must hold', () => {
  const v = view(abc(), [inst('x', 'primary', 'host-a')]);
  const asked: string[] = [];
  const notB = (a: string, b: string): boolean => {
    asked.push(`${a}->${b}`);
    return b !== 'host-b';
  };
  assert.equal(placeSecondary(v, vm('x'), 'host-a', notB).host, 'host-c');
  assert.deepEqual(asked, ['host-a->host-b', 'host-a->host-c']);
  assert.equal(reasonOf(placeSecondary(v, vm('x'), 'host-a', () => false)), 'no FT logging path from host-a to host-b, host-c');
});

test('up and reachable: down or cut-off hosts are not candidates', () => {
  const v = view([host('host-a', { up: false }), host('host-b', { reachable: false }), host('host-c')]);
  assert.equal(placePrimary(v, vm('x')).host, 'host-c');
  v.hosts[2].up = false;
  assert.equal(reasonOf(placePrimary(v, vm('x'))), 'every up host is unreachable (no storage path or cut off)');
  v.hosts[1].up = false;
  assert.equal(reasonOf(placePrimary(v, vm('x'))), 'every host is down');
  const w = view([host('host-a'), host('host-b', { reachable: false })], [inst('x', 'primary', 'host-a')]);
  assert.equal(
    reasonOf(placeSecondary(w, vm('x'), 'host-a', everywhere)),
    "every up host of family rv-gen1 other than the primary's is unreachable (no storage path or cut off)",
  );
});

test('VM-host rule: the primary and its secondary run only on the allowed hosts', () => {
  const x = vm('x', { allowedHosts: ['host-b', 'host-c'] });
  const v = view(abc());
  assert.equal(placePrimary(v, x).host, 'host-b', 'host-a is earlier but not allowed');
  assert.equal(placePrimary(v, x, 'host-a').host, 'host-b', 'not even when preferred');
  v.instances.push(inst('x', 'primary', 'host-b'));
  assert.equal(placeSecondary(v, x, 'host-b', everywhere).host, 'host-c');
  v.hosts[2].up = false;
  assert.equal(
    reasonOf(placeSecondary(v, x, 'host-b', everywhere)),
    "every host of family rv-gen1 other than the primary's is down (VM-host rule allows only host-b, host-c)",
  );
  v.hosts[1].up = false;
  v.instances = [];
  assert.equal(reasonOf(placePrimary(v, x)), 'VM-host rule allows only host-b, host-c, which are down');
  v.hosts[1].up = true;
  v.hosts[1].reachable = false;
  assert.equal(
    reasonOf(placePrimary(v, x)),
    'VM-host rule allows only host-b, host-c, which are down or unreachable (no storage path or cut off)',
  );
  assert.equal(reasonOf(placePrimary(v, vm('y', { allowedHosts: [] }))), 'VM-host rule allows no host');
  const only = vm('z', { allowedHosts: ['host-a'] });
  assert.equal(reasonOf(placeSecondary(view(abc()), only, 'host-a', everywhere)), 'VM-host rule allows only host-a, which runs the primary');
});

test('VM-VM anti-affinity keeps every instance of a group on its own host, so no failover puts two primaries together', () => {
  const rules = { vmAntiAffinity: [['web1', 'web2', 'web3']] };
  const v = view([host('host-a'), host('host-b'), host('host-c')], [inst('web1', 'primary', 'host-a'), inst('web1', 'secondary', 'host-b')], rules);
  assert.equal(placePrimary(v, vm('web2')).host, 'host-c', "web1's secondary on host-b blocks web2's primary too: it may go live there");
  assert.equal(placePrimary(v, vm('web2'), 'host-a').host, 'host-c', 'not even when host-a is preferred');
  assert.equal(placePrimary(v, vm('db'), 'host-a').host, 'host-a', 'VMs outside the group are not affected');
  v.instances.push(inst('web2', 'primary', 'host-c'));
  assert.equal(reasonOf(placeSecondary(v, vm('web2'), 'host-c', everywhere)), 'every eligible host runs web1, kept apart from web2 by VM-VM anti-affinity');
  assert.equal(
    reasonOf(placePrimary(v, vm('web3'))),
    'every eligible host runs web1 or web2, kept apart from web3 by VM-VM anti-affinity',
  );
  assert.equal(placePrimary(v, vm('web3', { ft: false })).host, null, 'the rule binds non-FT VMs too');
  assert.equal(placePrimary(v, vm('web1')).host, 'host-a', "a VM's own instances do not block it");
});

test('RAM: a host takes a VM only if the RAM of its instances plus the VM fits', () => {
  const v = view([host('host-a', { ramMiB: 1024 }), host('host-b', { ramMiB: 2048 })], [inst('x', 'primary', 'host-b', { ft: false, ramMiB: 1024 })]);
  assert.equal(placePrimary(v, vm('y', { ramMiB: 1024 })).host, 'host-a', 'exactly full is fine (≤)');
  assert.equal(placePrimary(v, vm('y', { ramMiB: 1025 })).host, null);
  assert.equal(reasonOf(placePrimary(v, vm('y', { ramMiB: 1536 }))), 'no host has 1536 MiB free (most: 1024 MiB on host-a)');
  v.instances.push(inst('s', 'primary', 'host-a', { ramMiB: 512 }));
  assert.equal(placePrimary(v, vm('y', { ramMiB: 1024 })).host, 'host-b');
  assert.equal(placePrimary(v, vm('x', { ramMiB: 2048 })).host, 'host-b', "x's own primary is ignored: it is the instance being moved");
});

test('admission control: host failures to tolerate N=1 on 3 equal hosts reserves one host', () => {
  const v = view(abc(), [], { hostFailuresTolerated: 1 });
  for (const [i, n] of ['a', 'b', 'c', 'd', 'e', 'f', 'g'].entries()) v.instances.push(inst(n, 'primary', abc()[i % 3].name, { ft: false }));
  assert.equal(admissionAllows(v, vm('h', { ft: false, ramMiB: 1024 }), 'primary'), true, '8 GiB of 12 GiB − 4 GiB');
  assert.equal(admissionAllows(v, vm('h', { ft: false, ramMiB: 1025 }), 'primary'), false);
  assert.equal(admissionAllows(v, vm('a', { ft: true, ramMiB: 1024 }), 'secondary'), true);
  assert.equal(admissionAllows(v, vm('a', { ft: true, ramMiB: 1025 }), 'primary'), true, "a's own primary is replaced, not added");
  assert.equal(placePrimary(v, vm('h', { ft: false, ramMiB: 2048 })).host, 'host-b', 'placement itself ignores admission control');
  v.hosts[0].up = false;
  assert.equal(admissionAllows(v, vm('h', { ft: false, ramMiB: 0 }), 'primary'), false, '7 GiB > 8 GiB − 4 GiB with host-a down');
  v.hosts[0].up = true;
  v.hosts[2].ramMiB = 8192;
  assert.equal(admissionAllows(v, vm('h', { ft: false, ramMiB: 1024 }), 'primary'), true, 'the largest host is the one reserved');
  v.rules.hostFailuresTolerated = 3;
  assert.equal(admissionAllows(v, vm('h', { ft: false, ramMiB: 0 }), 'primary'), false, 'tolerating as many failures as hosts leaves nothing');
  v.rules.hostFailuresTolerated = 0;
  assert.equal(admissionAllows(v, vm('h', { ft: false, ramMiB: 100000 }), 'primary'), true, 'N = 0: off');
});

test('preferred host: chosen when it is a candidate, else the usual choice', () => {
  const v = view(abc(), [inst('busy', 'primary', 'host-c', { ft: false, ramMiB: 1024 })]);
  assert.equal(placePrimary(v, vm('x'), 'host-c').host, 'host-c');
  assert.equal(placePrimary(v, vm('x'), null).host, 'host-a');
  v.hosts[2].up = false;
  assert.equal(placePrimary(v, vm('x'), 'host-c').host, 'host-a');
  v.instances.push(inst('x', 'primary', 'host-a'));
  assert.equal(placeSecondary(v, vm('x'), 'host-a', everywhere, 'host-b').host, 'host-b');
});

test('tie-break: fewest FT instances (FT VMs only), then least RAM in use, then host order; same input, same answer', () => {
  const v = view(abc(), [
    inst('f', 'primary', 'host-a', { ramMiB: 256 }),
    inst('p', 'primary', 'host-b', { ft: false, ramMiB: 2048 }),
    inst('q', 'primary', 'host-c', { ft: false, ramMiB: 1024 }),
  ]);
  assert.equal(placePrimary(v, vm('x')).host, 'host-c', 'no FT instance and less RAM than host-b');
  assert.equal(placePrimary(v, vm('x', { ft: false })).host, 'host-a', 'a non-FT VM looks at RAM only');
  const equal = view(abc());
  const answers = Array.from({ length: 5 }, () => placePrimary(equal, vm('x')).host);
  assert.deepEqual(answers, ['host-a', 'host-a', 'host-a', 'host-a', 'host-a']);
  assert.equal(placePrimary(view([host('host-c'), host('host-b'), host('host-a')]), vm('x')).host, 'host-c', 'order of view.hosts, not of names');
});

test('tie-break where DRS measures load: fewest FT instances still first, then the lowest CPU or memory load with the VM placed, then RAM', () => {
  const loaded = (cpuLoads: number[], instances: PlacedInstance[] = []) => view(abc().map((h, i) => ({ ...h, cpuLoad: cpuLoads[i] })), instances);
  const busyA = [inst('p', 'primary', 'host-b', { ft: false, ramMiB: 2048 })];
  assert.equal(placePrimary(loaded([0.9, 0, 0.2], busyA), vm('x', { ft: false })).host, 'host-c', 'host-a is busy, host-b half full of memory');
  assert.equal(placePrimary(view(abc(), busyA), vm('x', { ft: false })).host, 'host-a', 'without demand: least RAM in use');
  assert.equal(placePrimary(loaded([0, 0, 0], busyA), vm('x', { ft: false })).host, 'host-a', 'no demand anywhere: the memory load decides');
  const ftOnC = [inst('f', 'primary', 'host-c', { ramMiB: 16 })];
  assert.equal(placePrimary(loaded([0.9, 0.5, 0], ftOnC), vm('x')).host, 'host-b', 'an FT VM avoids the host with an FT instance before weighing load');
  assert.throws(() => placePrimary(loaded([-1, 0, 0]), vm('x')), /cpuLoad/);
});

test('restartOrder: highest to lowest, stable, disabled left out, input untouched', () => {
  const vms: { name: string; restartPriority: RestartPriority }[] = [
    { name: 'l1', restartPriority: 'low' },
    { name: 'h1', restartPriority: 'highest' },
    { name: 'd', restartPriority: 'disabled' },
    { name: 'm', restartPriority: 'medium' },
    { name: 'h2', restartPriority: 'highest' },
    { name: 'z', restartPriority: 'lowest' },
    { name: 'hi', restartPriority: 'high' },
    { name: 'l2', restartPriority: 'low' },
  ];
  const before = vms.map((v) => v.name);
  assert.deepEqual(restartOrder(vms).map((v) => v.name), ['h1', 'h2', 'hi', 'm', 'l1', 'l2', 'z']);
  assert.deepEqual(vms.map((v) => v.name), before);
  assert.deepEqual(restartOrder([]), []);
  assert.throws(() => restartOrder([{ restartPriority: 'urgent' as RestartPriority }]), /unknown restart priority "urgent"/);
  assert.throws(() => restartOrder([{ restartPriority: 'toString' as RestartPriority }]), /unknown restart priority/);
});

test('ruleViolations names every broken rule, and nothing in a valid placement', () => {
  const ok = view(abc(), [inst('x', 'primary', 'host-a'), inst('x', 'secondary', 'host-b', { allowedHosts: ['host-a', 'host-b'] })]);
  assert.deepEqual(ruleViolations(ok), []);
  assert.deepEqual(ruleViolations(view(abc(), [inst('x', 'primary', 'host-a'), inst('x', 'secondary', 'host-a')])), [
    "x's primary and secondary both run on host-a",
  ]);
  assert.deepEqual(
    ruleViolations(view(abc(), [inst('x', 'primary', 'host-a'), inst('y', 'secondary', 'host-a')], { maxFtVmsPerHost: 1 })),
    ['host-a runs 2 FT VMs, over maxFtVmsPerHost 1'],
  );
  assert.deepEqual(
    ruleViolations(view(abc(), [inst('x', 'primary', 'host-a', { vcpus: 4 }), inst('y', 'secondary', 'host-a', { vcpus: 5 })])),
    ['host-a runs 9 FT vCPUs, over maxFtVcpusPerHost 8'],
  );
  const groups = { vmAntiAffinity: [['db'], ['w1', 'w2', 'w3']] };
  assert.deepEqual(
    ruleViolations(view(abc(), [inst('w1', 'primary', 'host-a'), inst('w2', 'secondary', 'host-a'), inst('w3', 'primary', 'host-b')], groups)),
    [],
    'a secondary beside a group primary is allowed',
  );
  assert.deepEqual(ruleViolations(view(abc(), [inst('w1', 'primary', 'host-a'), inst('w3', 'primary', 'host-a', { ft: false })], groups)), [
    'w1 and w3 both have their primary on host-a, against VM-VM anti-affinity rule 2',
  ]);
  assert.deepEqual(ruleViolations(view(abc(), [inst('x', 'primary', 'host-c', { allowedHosts: ['host-a', 'host-b'] })])), [
    "x's primary runs on host-c, outside its VM-host rule (host-a, host-b)",
  ]);
  assert.deepEqual(ruleViolations(view(abc(), [inst('x', 'primary', 'host-a', { ramMiB: 3000 }), inst('y', 'primary', 'host-a', { ft: false, ramMiB: 1200 })])), [
    'host-a runs 4200 MiB of VMs in 4096 MiB of RAM',
  ]);
});

test('arguments are asserted', () => {
  const v = view(abc(), [inst('x', 'primary', 'host-a')]);
  assert.throws(() => placePrimary(v, vm('y'), 'host-z'), /preferred "host-z" is not a host of the view/);
  assert.throws(() => placeSecondary(v, vm('x'), 'host-z', everywhere), /primaryHost "host-z" is not a host of the view/);
  assert.throws(() => placeSecondary(v, vm('x'), 'host-a', everywhere, 'nope'), /preferred "nope"/);
  assert.throws(() => placeSecondary(v, vm('x', { ft: false }), 'host-a', everywhere), /not fault tolerant/);
  assert.throws(() => admissionAllows(v, vm('x', { ft: false }), 'secondary'), /not fault tolerant/);
  assert.throws(() => placePrimary(view(abc(), [], { maxFtVmsPerHost: -1 }), vm('y')), /maxFtVmsPerHost must be an integer ≥ 0/);
  assert.throws(() => placePrimary(view(abc(), [], { maxFtVcpusPerHost: 1.5 }), vm('y')), /maxFtVcpusPerHost/);
  assert.throws(() => admissionAllows(view(abc(), [], { hostFailuresTolerated: -1 }), vm('y'), 'primary'), /hostFailuresTolerated/);
  assert.throws(() => placePrimary(view([host('a'), host('a')]), vm('y')), /host a is listed twice/);
  assert.throws(() => placePrimary(view([host('a', { ramMiB: -1 })]), vm('y')), /ramMiB/);
  assert.throws(() => placePrimary(v, vm('y', { vcpus: 0 })), /vcpus must be an integer ≥ 1/);
  assert.throws(() => placePrimary(v, vm('y', { ramMiB: Number.NaN })), /ramMiB/);
  assert.throws(() => placePrimary(v, vm('y', { allowedHosts: ['host-q'] })), /unknown host "host-q"/);
  assert.throws(() => ruleViolations(view(abc(), [inst('x', 'primary', 'host-q')])), /unknown host "host-q"/);
  assert.throws(() => ruleViolations(view(abc(), [inst('x', 'secondary', 'host-a', { ft: false })])), /not fault tolerant/);
  assert.deepEqual(placePrimary(view([]), vm('y')), { host: null, reason: 'the cluster has no hosts' });
});

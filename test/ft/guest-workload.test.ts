// The default client workload goes only to a guest that addresses the NIC; a workload the scenario names is run as written.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProgramBytes } from '../../src/asm/load-program';
import { parseScenario } from '../../src/ft/scenario';
import { programAddressesNic, withGuestWorkload } from '../../src/ft/guest-workload';
import { example, kvstore } from './helpers';
import { cli } from '../cli/run-cli';

const root = join(__dirname, '../..');
const asm = (name: string, src: string) => loadProgramBytes(name, Buffer.from(src));
const file = (path: string) => loadProgramBytes(path, readFileSync(join(root, path)));

test('programAddressesNic: kvstore does; the examples without a network driver and a polling guest do not', () => {
  assert.equal(programAddressesNic(kvstore()), true);
  for (const p of ['ticker/ticker.elf', 'diskhog/diskhog.elf', 'bench/crc32-rv32imac.elf', 'bench/sieve-rv32im.elf']) {
    assert.equal(programAddressesNic(example(p)), false, p);
  }
  assert.equal(programAddressesNic(file('examples/hello/hello.s')), false);
  assert.equal(programAddressesNic(file('test/fixtures/ft/poll-mtime.s')), false);
});

test('programAddressesNic: an instruction that loads the NIC page, or a data word pointing into it', () => {
  assert.equal(programAddressesNic(asm('li.s', '_start: li t0, 0x10001008\n lw t1, 0(t0)\n')), true);
  assert.equal(programAddressesNic(asm('word.s', '_start: j _start\n .data\nnic: .word 0x10001004\n')), true);
  assert.equal(programAddressesNic(asm('uart.s', '_start: li t0, 0x10000000\n sb zero, 0(t0)\n .data\n .word 0x10002000\n')), false);
});

test('withGuestWorkload: no default clients without a NIC; a named workload, or a guest with a NIC, keeps the scenario as it is', () => {
  const poll = file('test/fixtures/ft/poll-mtime.s');
  const bare = parseScenario({ program: 'poll-mtime.s' });
  assert.equal(bare.workload.clients, 2, 'the schema default');
  const s = withGuestWorkload(bare, poll);
  assert.equal(s.workload.clients, 0);
  assert.deepEqual({ ...s, workload: bare.workload }, bare, 'nothing else changes');
  assert.equal(withGuestWorkload({ ...bare, program: 'copied.s' }, poll).workload.clients, 0, 'copies that keep the workload stay defaulted');
  const named = parseScenario({ program: 'poll-mtime.s', workload: { clients: 2 } });
  assert.equal(withGuestWorkload(named, poll), named);
  const kv = parseScenario({ program: 'kvstore.elf' });
  assert.equal(withGuestWorkload(kv, kvstore()), kv);
});

test('lockstep run: a polling guest with no workload gets no clients (nothing to retry); with one named, they run', async () => {
  const scenario = join(root, 'test/fixtures/ft/poll-mtime.json');
  const bare = await cli('run', scenario, '--json', '--until-ms', '40');
  assert.equal(bare.code, 0, bare.err);
  const s = JSON.parse(bare.out);
  assert.deepEqual([s.clients.sent, s.clients.retries, s.log.bytesByKind.nicRx], [0, 0, 0]);
  assert.match(s.log.hint.hint, /wfi/);
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-workload-'));
  const namedPath = join(dir, 'named.json');
  writeFileSync(namedPath, JSON.stringify({ program: join(root, 'test/fixtures/ft/poll-mtime.s'), workload: { clients: 1 } }));
  const named = JSON.parse((await cli('run', namedPath, '--json', '--until-ms', '40')).out);
  assert.equal(named.clients.sent, 1, 'the named client sends');
  assert.ok(named.clients.retries >= 1 && named.log.bytesByKind.nicRx > 0, 'and retries into a NIC nobody reads');
});

test('lockstep run: kvstore scenarios that name no workload (split-brain) keep the default clients', async () => {
  const r = await cli('run', join(root, 'examples/kvstore/split-brain.json'), '--json');
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(r.out);
  assert.equal(s.clients.sent, 400, 'two clients, 200 requests each');
  assert.equal(s.traceHash, 'cb887807ff040e0c', 'the same run as before default workloads looked at the guest');
});

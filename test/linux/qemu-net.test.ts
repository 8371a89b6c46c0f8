// The reference for the network: QEMU's virt board boots linux-disk.elf with its own virtio network device, and a real TCP client on this machine (through QEMU's user network) gets kvstore answers from /init's server, as the simulated clients do on Lockstep.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './scenario-run';
import { encodeRequest, decodeReply, KvOp, KvStatus } from '../../src/ft/world/kv-protocol';

const DIR = join(ROOT, 'examples', 'linux');
const qemu = spawnSync('qemu-system-riscv32', ['--version']).status === 0;
const missing = !existsSync(join(DIR, 'linux-disk.elf')) ? 'examples/linux is not built: `npm run linux` builds it (CI does)' : !qemu ? 'qemu-system-riscv32 is missing (Debian qemu-system-misc)' : false;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Sends the requests on one connection and resolves with the replies' bytes once `bytes` arrived (rejects on error). */
function exchange(port: number, requests: Uint8Array[], bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const s = connect(port, '127.0.0.1', () => requests.forEach((r) => s.write(r)));
    s.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got.length >= bytes) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('error', reject);
    s.on('close', () => reject(new Error(`closed after ${got.length} bytes`)));
  });
}

test('QEMU with a virtio network device: a real TCP client PUTs and GETs through /init\'s server on 10.0.0.2:7000', { skip: missing, timeout: 120_000 }, async () => {
  const port = await freePort();
  const q = spawn('bash', [join(ROOT, 'scripts', 'linux', 'qemu.sh'), '60', join(DIR, 'linux-disk.elf'), join(DIR, 'disk.img')], { env: { ...process.env, HOSTFWD_PORT: String(port) }, detached: true, stdio: 'ignore' });
  try {
    const put = encodeRequest({ clientId: 5, reqId: 1, op: KvOp.put, key: 'k1', value: new TextEncoder().encode('hello') });
    const get = encodeRequest({ clientId: 5, reqId: 2, op: KvOp.get, key: 'k1', value: new Uint8Array(0) });
    let got: Buffer | null = null;
    for (let attempt = 0; attempt < 60 && got === null; attempt++) {
      got = await exchange(port, [put, get], 24 + 24 + 5).catch(() => null); // QEMU forwards before Linux listens
      if (got === null) await new Promise((r) => setTimeout(r, 1000));
    }
    assert.ok(got !== null, '/init answered within a minute of QEMU starting');
    const first = decodeReply(got.subarray(0, 24)), second = decodeReply(got.subarray(24));
    assert.deepEqual([first?.clientId, first?.reqId, first?.status, first?.op], [5, 1, KvStatus.ok, KvOp.put]);
    assert.deepEqual([second?.reqId, second?.status, new TextDecoder().decode(second?.value)], [2, KvStatus.ok, 'hello']);
  } finally {
    if (q.pid !== undefined) process.kill(-q.pid, 'SIGKILL');
  }
});

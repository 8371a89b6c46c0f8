// The reference for the disk: QEMU's virt board boots the same linux-disk.elf with the same ext2 image on its own virtio block device, mounts it as root and runs the disk's /sbin/init, as Lockstep does.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './scenario-run';

const DIR = join(ROOT, 'examples', 'linux');
const qemu = spawnSync('qemu-system-riscv32', ['--version']).status === 0;
const missing = !existsSync(join(DIR, 'linux-disk.elf')) ? 'examples/linux is not built: `npm run linux` builds it (CI does)' : !qemu ? 'qemu-system-riscv32 is missing (Debian qemu-system-misc)' : false;

test('QEMU boots linux-disk.elf from disk.img: the kernel finds vda on QEMU virt\'s slot, mounts the ext2 root and runs /sbin/init, which finds /kv.log', { skip: missing, timeout: 120_000 }, () => {
  const r = spawnSync('bash', [join(ROOT, 'scripts', 'linux', 'qemu.sh'), '10', join(DIR, 'linux-disk.elf'), join(DIR, 'disk.img')], { encoding: 'utf8' });
  assert.equal(r.status, 0, `QEMU reached /init's ticks: ${r.stdout.slice(-600)}${r.stderr}`);
  assert.match(r.stdout, /virtio_blk virtio0: \[vda\] 8192 512-byte logical blocks/);
  assert.match(r.stdout, /VFS: Mounted root \(ext2 filesystem\)/);
  assert.match(r.stdout, /^lockstep \/init: keeping the table in \/kv\.log: 0 writes replayed$/m);
});

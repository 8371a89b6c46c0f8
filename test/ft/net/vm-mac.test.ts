// The world addresses the VM by the MAC its virtio network device answers to: the two copies (the world depends on nothing of the machine) must agree.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VIRTIO_NET_MAC } from '../../../src/machine/devices/virtio-net';
import { VM_MAC } from '../../../src/ft/world/net/addresses';
import { macFromBytes } from '../../../src/ft/world/net/frames';

test('the world\'s VM_MAC is the virtio network device\'s MAC', () => {
  assert.equal(macFromBytes(Uint8Array.from(VIRTIO_NET_MAC)), VM_MAC);
});

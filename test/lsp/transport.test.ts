// The server also speaks LSP over node IPC (--node-ipc), the transport VS Code's language client forks it with.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { LspClient } from './client';

it('serves diagnostics over --node-ipc', async () => {
  const c = new LspClient('ipc');
  try {
    const init = (await c.initialize()) as { capabilities: { hoverProvider?: boolean } };
    assert.equal(init.capabilities.hoverProvider, true);
    const d = await c.open('file:///tmp/ipc.s', '    nope a0\n');
    assert.deepEqual(d.diagnostics.map((x) => [x.range.start.line, x.range.start.character, x.range.end.character]), [[0, 4, 8]]);
  } finally {
    await c.stop();
  }
});

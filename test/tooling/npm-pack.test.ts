// What `npm pack` puts in the CLI's tarball (the README's `npm install -g` path): the lockstep binary, its bundles with the source maps they link, and the examples `lockstep new` copies from; nothing else.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const skip = existsSync(join(ROOT, 'dist/cli.js')) ? false : 'dist/ is not built (npm run build)';

test('the tarball holds bin, the CLI bundles and their maps, the examples, and no sources or tests', { skip }, () => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // --ignore-scripts: list what is built now, without rebuilding dist/ under the other tests.
  const out = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] });
  const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);
  for (const want of ['bin/lockstep.js', 'bin/code-cache.js', 'dist/cli.js', 'dist/secondary-worker.js', 'package.json', 'README.md',
    'examples/common/start.S', 'examples/common/link.ld', 'examples/common/lockstep.h', 'examples/kvstore/failover.json', 'examples/kvstore/kvstore.elf']) {
    assert.ok(files.includes(want), `${want} is in the tarball`);
  }
  for (const f of files) assert.match(f, /^(bin|dist|examples)\/|^(package\.json|README\.md|LICENSE)$/, `${f} does not belong in the tarball`);
  for (const js of files.filter((f) => f.endsWith('.js') && f.startsWith('dist/'))) {
    const link = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(ROOT, js), 'utf8'));
    if (link !== null) assert.ok(files.includes(`dist/${link[1]}`), `${js} links ${link[1]}, which is shipped`);
  }
  const required = /require(?:\.resolve)?\('\.\.\/(dist\/[\w.-]+)'\)/.exec(readFileSync(join(ROOT, 'bin/lockstep.js'), 'utf8'))?.[1];
  assert.ok(required !== undefined && files.includes(required), `bin/lockstep.js requires ${required}, which is shipped`);
});

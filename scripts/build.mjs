// Bundles every entry point (extension, its lazily loaded language client, adapter, language server, CLI, bench) into dist/ with esbuild,
// and the Timeline webview's page script (browser code) into dist/webview/.
import { build } from 'esbuild';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

// Source maps: a development build links them (`//# sourceMappingURL=`, for the debugger and --enable-source-maps);
// `--release` (the bundles a .vsix ships, without their maps: .vscodeignore leaves them out) writes them unlinked.
// `--outdir DIR` builds elsewhere than dist/ (the build test).
const release = process.argv.includes('--release');
const outdirAt = process.argv.indexOf('--outdir');
const outdir = outdirAt === -1 ? 'dist' : process.argv[outdirAt + 1];
if (outdir === undefined || outdir === '' || outdir.startsWith('--')) {
  console.error('build: --outdir needs a folder');
  process.exit(2);
}
const sourcemap = release ? 'external' : 'linked';

const entries = {
  extension: 'src/extension/extension.ts',
  // Loaded by the extension with the first assembly document only: keeps vscode-languageclient out of extension.js.
  'language-client': 'src/extension/language-client.ts',
  adapter: 'src/debug/main.ts',
  server: 'src/lsp/server.ts',
  cli: 'src/cli/main.ts',
  'secondary-worker': 'src/cli/secondary-worker.ts',
  bench: 'scripts/bench.ts',
};
const entryPoints = Object.fromEntries(Object.entries(entries).filter(([, p]) => existsSync(p)));
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints,
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap,
  external: ['vscode'],
  logLevel: 'warning',
});
// The Timeline page runs in the webview, a browser: one classic script (the page loads it with a nonce'd <script src>),
// no Node built-ins (esbuild refuses to resolve them for the browser) and no `vscode` module (the webview has none).
await build({
  entryPoints: { timeline: 'src/extension/webview/timeline.ts' },
  outdir: join(outdir, 'webview'),
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
  sourcemap,
  logLevel: 'warning',
});

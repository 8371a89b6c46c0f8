// Project rules tsc cannot check: determinism of the simulation layers, layering of imports, only the extension imports vscode, the webview page bundles only its own code.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname, relative, normalize } from 'node:path';

// Optional argument: the project root to check (the tests point it at a scratch tree).
if (process.argv[2]) process.chdir(process.argv[2]);

// Layers from the bottom up (DESIGN.md §1). A file may import its own layer or any layer listed before it.
const LAYERS = ['machine', 'asm', 'ft', 'replay', 'debug', 'lsp', 'cli', 'extension'];
// What each layer may import besides lower layers (lsp sits beside debug: it needs only asm and machine).
const FORBIDDEN_PEERS = { lsp: ['ft', 'replay', 'debug'], cli: ['lsp'] };
const DETERMINISTIC = new Set(['machine', 'ft', 'replay']);
// Files that may not reach below a layer boundary although their layer may: the DAP session only translates, through
// the runtime's own types, so it imports nothing of the cluster or the machine (docs/design/debug.md).
const TRANSLATORS = { 'src/debug/session.ts': ['ft', 'machine', 'replay'] };
const NONDETERMINISM = [
  [/\bMath\.random\b/, 'Math.random (use the simulation\'s seeded PRNG)'],
  [/\bDate\b/, 'Date (use simulated time)'],
  [/\bperformance\.now\b/, 'performance.now (use simulated time)'],
  [/\b(setTimeout|setInterval|setImmediate|queueMicrotask)\b/, 'timers (use the event queue)'],
  [/\bprocess\./, 'process (no environment, clock or I/O in the simulation)'],
  [/from\s+['"](node:)?(fs|fs\/promises|net|http|https|child_process|worker_threads|os|dgram|readline)['"]/, 'I/O modules'],
  [/require\(\s*['"](node:)?(fs|net|http|https|child_process|worker_threads|os)['"]\s*\)/, 'I/O modules'],
];

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

function stripComments(src) {
  return src.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

// The Timeline page (src/extension/webview) runs in a browser and is bundled on its own: it imports its own modules,
// the messages it shares with the panel at run time, and anything else of the extension as types only.
const WEBVIEW = 'src/extension/webview/';
const WEBVIEW_SHARED = new Set(['src/extension/timeline-messages']);

function webviewImports(file, src) {
  const found = [];
  for (const m of src.matchAll(/\b(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g)) {
    const [, typeOnly, spec] = m;
    const where = `${file}:${src.slice(0, m.index).split('\n').length}`;
    if (!spec.startsWith('.')) {
      found.push(`${where}: the webview page imports no package, Node module or vscode (${spec}): it runs in a browser`);
      continue;
    }
    const target = normalize(join(dirname(file), spec)).replace(/\\/g, '/').replace(/\.ts$/, '');
    if (!typeOnly && !target.startsWith(WEBVIEW) && !WEBVIEW_SHARED.has(target)) {
      found.push(`${where}: the webview page imports ${spec} at run time: only its own modules and timeline-messages.ts are bundled into it (use import type)`);
    }
  }
  return found;
}

const problems = [];
for (const file of walk('src')) {
  if (file.replace(/\\/g, '/').startsWith(WEBVIEW)) problems.push(...webviewImports(file, stripComments(readFileSync(file, 'utf8'))));
  const layer = relative('src', file).split('/')[0];
  const rank = LAYERS.indexOf(layer);
  const lines = stripComments(readFileSync(file, 'utf8')).split('\n');
  lines.forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    if (/from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)/.test(line) && layer !== 'extension') {
      problems.push(`${where}: only src/extension may import vscode`);
    }
    if (DETERMINISTIC.has(layer)) {
      for (const [re, what] of NONDETERMINISM) if (re.test(line)) problems.push(`${where}: ${what} in deterministic layer src/${layer}`);
    }
    const m = /(?:from\s+|require\(\s*|import\(\s*)['"](\.{1,2}\/[^'"]+)['"]/.exec(line);
    if (m) {
      const target = normalize(join(dirname(file), m[1]));
      const targetLayer = relative('src', target).split('/')[0];
      const targetRank = LAYERS.indexOf(targetLayer);
      if (target.startsWith('src/') || target.startsWith('src\\')) {
        if (targetRank > rank) problems.push(`${where}: src/${layer} imports src/${targetLayer} (imports must point down)`);
        if ((FORBIDDEN_PEERS[layer] ?? []).includes(targetLayer)) problems.push(`${where}: src/${layer} must not import src/${targetLayer}`);
        const own = TRANSLATORS[relative('.', file).split('\\').join('/')] ?? [];
        if (own.includes(targetLayer)) problems.push(`${where}: ${relative('.', file)} only translates: it must not import src/${targetLayer} (go through the runtime)`);
      } else if (!target.startsWith('node_modules')) {
        problems.push(`${where}: imports outside src (${m[1]})`);
      }
    }
  });
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`lint: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log('lint: ok');

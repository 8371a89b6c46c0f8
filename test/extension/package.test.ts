// The extension's manifest is consistent (commands, schema-derived launch attributes, grammar, snippets) and its .vsix ships only what runs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseScenario } from '../../src/ft/scenario';
import { prepareLaunch } from '../../src/debug/launch';
import { allMnemonics } from '../../src/asm/instructions';
import { csrNames } from '../../src/asm/registers';
import { actionCommands, hostCommands, lockstepMenu } from '../../src/extension/actions';
import { extensionFiles, packageVsix, vsceEntry } from '../../scripts/vsix';

const root = join(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const pkg: Json = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const debuggerContribution: Json = pkg.contributes.debuggers.find((d: Json) => d.type === 'lockstep');

/** DAP / VS Code keys of a launch configuration that are not part of a scenario (as src/debug/launch.ts drops them). */
const DAP_KEYS = new Set(['type', 'request', 'name', 'stopOnEntry', 'replay', 'cwd', 'trace', 'noDebug', 'preLaunchTask', 'postDebugTask']);

test('extension entry points: main, engines, activation events, untrusted workspaces', () => {
  assert.equal(pkg.main, './dist/extension.js');
  assert.equal(pkg.engines.vscode, '^1.91.0');
  // No onDebugDynamicConfigurations: a dynamic provider lists Lockstep twice in VS Code's debugger picker. Plain text
  // activates it, to give RISC-V .s files VS Code found no language for the Lockstep language (and so F5).
  assert.deepEqual([...pkg.activationEvents].sort(), ['onDebugResolve:lockstep', 'onLanguage:lockstep-asm', 'onLanguage:plaintext']);
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, false);
  assert.ok(pkg.capabilities.untrustedWorkspaces.description.length > 20);
  assert.ok(existsSync(join(root, pkg.icon)), 'icon file exists');
  const png = readFileSync(join(root, pkg.icon));
  assert.equal(png.readUInt32BE(16), 128, 'icon width');
  assert.equal(png.readUInt32BE(20), 128, 'icon height');
  // @types/vscode must not promise an API newer than engines.vscode.
  assert.match(pkg.devDependencies['@types/vscode'], /^[~^]?1\.(\d|[1-8]\d|9[01])\.\d+$/);
});

test('every command has a title and a category, and the code registers exactly the contributed commands', () => {
  const contributed: Json[] = pkg.contributes.commands;
  const ids = contributed.map((c) => c.command);
  assert.equal(new Set(ids).size, ids.length, 'no duplicate command ids');
  for (const c of contributed) {
    assert.ok(typeof c.title === 'string' && c.title.length > 0, `${c.command} has a title`);
    assert.equal(c.category, 'Lockstep');
  }
  const registered = ['lockstep.ftAction', 'lockstep.injectFault', 'lockstep.hosts.refresh', 'lockstep.showTimeline', 'lockstep.compareVms', 'lockstep.newGuestProgram', 'lockstep.showMemory',
    'lockstep.debugFile', 'lockstep.partition', 'lockstep.host.partition', 'lockstep.menu', ...actionCommands().map((a) => a.id), ...hostCommands().map((h) => h.id)];
  assert.deepEqual([...ids].sort(), [...registered].sort());
  const titles = new Map(actionCommands().map((a) => [a.id, a.title]));
  for (const c of contributed) if (titles.has(c.command)) assert.equal(c.title, titles.get(c.command));
  const source = readFileSync(join(root, 'src/extension/commands.ts'), 'utf8');
  assert.match(source, /registerCommand\('lockstep\.ftAction'/);
  assert.match(source, /registerCommand\('lockstep\.injectFault'/);
  for (const m of pkg.contributes.menus.commandPalette) assert.ok(ids.includes(m.command), `palette entry ${m.command} is a command`);
});

test("the debugger's launch attributes are what scripts/gen-launch-schema.mjs derives from the scenario schema", () => {
  const r = spawnSync(process.execPath, [join(root, 'scripts/gen-launch-schema.mjs')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const generated = JSON.parse(r.stdout);
  assert.deepEqual(debuggerContribution.configurationAttributes.launch, generated,
    'package.json is stale: run node scripts/gen-launch-schema.mjs --write');
  const schema = JSON.parse(readFileSync(join(root, 'src/ft/scenario.schema.json'), 'utf8'));
  for (const key of Object.keys(schema.properties)) assert.ok(key in generated.properties, key);
  for (const key of ['stopOnEntry', 'cwd', 'replay', 'trace']) assert.ok(key in generated.properties, key);
  assert.doesNotMatch(JSON.stringify(generated), /\$ref/, 'references are inlined');
});

test('language, grammar and language configuration agree and parse', () => {
  const lang = pkg.contributes.languages.find((l: Json) => l.id === 'lockstep-asm');
  assert.ok(lang);
  const grammarEntry = pkg.contributes.grammars.find((g: Json) => g.language === 'lockstep-asm');
  const grammar: Json = JSON.parse(readFileSync(join(root, grammarEntry.path), 'utf8'));
  assert.equal(grammar.scopeName, grammarEntry.scopeName);
  const conf: Json = JSON.parse(readFileSync(join(root, lang.configuration), 'utf8'));
  assert.equal(conf.comments.lineComment, '#');
  assert.ok(conf.brackets.length >= 2);
  for (const inc of grammar.patterns) assert.ok(inc.include.slice(1) in grammar.repository, `${inc.include} is defined`);
  // Every match compiles (Oniguruma's inline (?i:…) becomes the i flag in JavaScript).
  const rules: Json[] = [];
  for (const r of Object.values(grammar.repository) as Json[]) rules.push(...(r.patterns ?? [r]));
  const compile = (src: string): RegExp => new RegExp(src.replace(/\(\?i:/g, '(?:'), src.includes('(?i:') ? 'i' : '');
  for (const r of rules) for (const k of ['match', 'begin', 'end']) if (r[k] !== undefined) compile(r[k]);
  const whole = (rule: Json, word: string): boolean => {
    const m = compile(rule.match).exec(word);
    return m !== null && m[0] === word;
  };
  for (const m of allMnemonics()) assert.ok(whole(grammar.repository.mnemonics, m), `mnemonic ${m}`);
  for (const c of csrNames()) assert.ok(whole(grammar.repository.csrs, c), `CSR ${c}`);
  for (const r of ['zero', 'ra', 'sp', 'x31', 's11', 'a7', 't6']) assert.ok(whole(grammar.repository.registers, r), r);
  assert.ok(!whole(grammar.repository.registers, 'x32'));
  assert.match('loop:', compile(grammar.repository.labelDefinitions.match));
});

/** A configuration snippet body as VS Code would insert it: `^"…"` strings unquoted, `${n:default}` → default. */
function expandSnippet(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expandSnippet);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandSnippet(v)]));
  if (typeof value !== 'string') return value;
  const text = value.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\\\$\{workspaceFolder\}/g, root);
  return text.startsWith('^') ? JSON.parse(text.slice(1)) : text;
}

test('configuration snippets and initial configurations are launch configurations the adapter accepts', () => {
  assert.ok(debuggerContribution.configurationSnippets.length >= 4);
  const labels = debuggerContribution.configurationSnippets.map((s: Json) => s.label).join('|');
  for (const want of [/failover/i, /split brain/i, /chaos/i, /recording/i]) assert.match(labels, want);
  for (const snippet of debuggerContribution.configurationSnippets) {
    const config = expandSnippet(snippet.body) as Json;
    assert.equal(config.type, 'lockstep', snippet.label);
    assert.equal(config.request, 'launch', snippet.label);
    const scenario = Object.fromEntries(Object.entries(config).filter(([k]) => !DAP_KEYS.has(k)));
    for (const key of Object.keys(config)) {
      assert.ok(DAP_KEYS.has(key) || key in debuggerContribution.configurationAttributes.launch.properties, `${snippet.label}: ${key} is a launch attribute`);
    }
    if (config.replay !== undefined) {
      assert.deepEqual(scenario, {}, `${snippet.label}: a replay takes no scenario keys`);
      continue;
    }
    assert.ok(existsSync(config.program), `${snippet.label}: ${config.program} exists`);
    assert.doesNotThrow(() => parseScenario(scenario), snippet.label);
    assert.doesNotThrow(() => prepareLaunch(config), `${snippet.label}: the adapter loads it`);
  }
  for (const c of debuggerContribution.initialConfigurations) {
    assert.equal(c.type, 'lockstep');
    assert.equal(c.program, '${file}');
  }
});

const haveDist = ['extension', 'language-client', 'adapter', 'server', 'webview/timeline'].every((n) => existsSync(join(root, 'dist', `${n}.js`)));

test('the .vsix holds the bundles, the grammar and the examples, and nothing needless', {
  skip: vsceEntry(root) === undefined ? '@vscode/vsce is not installed' : !haveDist ? 'dist/ is not built (npm run build)' : false,
  timeout: 120_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-vsix-'));
  try {
    const out = join(dir, 'lockstep.vsix');
    packageVsix(root, out);
    const files = extensionFiles(readFileSync(out));
    for (const want of ['dist/extension.js', 'dist/language-client.js', 'dist/adapter.js', 'dist/server.js', 'package.json', 'media/lockstep.png',
      'syntaxes/lockstep-asm.tmLanguage.json', 'language-configuration.json', 'LICENSE.txt', 'readme.md', 'examples/hello/hello.s',
      'dist/webview/timeline.js', 'media/timeline.css', 'media/screenshots/timeline.png', 'media/screenshots/vscode-failover.png',
      'examples/common/start.S', 'examples/common/link.ld', 'examples/common/lockstep.h']) {
      assert.ok(files.includes(want), `${want} is in the .vsix (${files.join(', ')})`);
    }
    for (const f of files) {
      assert.doesNotMatch(f, /\.ts$|\.map$|^node_modules\/|^test\/|^src\/|^scripts\/|^\.ci\/|^docs\/|\.lsrec$|\.log$|^out\//, `${f} does not belong in the .vsix`);
    }
    assert.deepEqual(files.filter((f) => f.startsWith('dist/')).sort(), ['dist/adapter.js', 'dist/extension.js', 'dist/language-client.js', 'dist/server.js', 'dist/webview/timeline.js']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the Hosts view sits in Run and Debug for lockstep sessions; its menus name contributed commands', () => {
  // Its own context key: VS Code's debugType outlives the last session, which left an empty pane behind.
  assert.deepEqual(pkg.contributes.views.debug, [{ id: 'lockstep.hosts', name: 'Lockstep Hosts', when: 'lockstep.sessionActive' }]);
  assert.deepEqual(pkg.contributes.viewsWelcome.map((w: Json) => w.view), ['lockstep.hosts'], 'an empty view says when it fills');
  const ids = new Set(pkg.contributes.commands.map((c: Json) => c.command));
  const title: Json[] = pkg.contributes.menus['view/title'];
  const item: Json[] = pkg.contributes.menus['view/item/context'];
  for (const m of [...title, ...item]) {
    assert.ok(ids.has(m.command), m.command);
    assert.match(m.when, /^view == lockstep\.hosts/);
  }
  assert.deepEqual(title.map((m) => m.command).filter((c) => c.startsWith('lockstep.ft.')),
    ['lockstep.ft.testFailover', 'lockstep.ft.testRestartSecondary', 'lockstep.ft.turnOffFT', 'lockstep.ft.turnOnFT']);
  for (const h of [...hostCommands().map((c) => c.id), 'lockstep.host.partition']) assert.ok(item.some((m) => m.command === h && /viewItem/.test(m.when)), h);
  assert.ok(item.some((m) => m.command === 'lockstep.fault.loggingLinkDown' && /lockstep\.link\.pair/.test(m.when)));
});

test('the debug toolbar: one Lockstep button (a quick pick of every Lockstep action); the rest in the Hosts view title bar', () => {
  const bar: Json[] = pkg.contributes.menus['debug/toolBar'];
  assert.deepEqual(bar.map((m) => m.command), ['lockstep.menu'], 'the floating toolbar stays small: it covered the editor tabs');
  const commands = new Map<string, Json>(pkg.contributes.commands.map((c: Json) => [c.command, c]));
  for (const m of bar) {
    assert.equal(m.when, 'debugType == lockstep', m.command);
    assert.match(m.group, /^lockstep@\d+$/, `${m.command}: its own group, after the built-in buttons`);
    assert.ok(commands.has(m.command), `${m.command} is a contributed command`);
    assert.match(commands.get(m.command).icon ?? '', /^\$\([a-z-]+\)$/, `${m.command} has a codicon, so it renders as a button`);
  }
  for (const e of lockstepMenu()) {
    assert.ok(commands.has(e.command), `${e.command} (in the Lockstep… quick pick) is a contributed command`);
  }
  const palette: Json[] = pkg.contributes.menus.commandPalette;
  assert.ok(palette.some((m) => m.command === 'lockstep.compareVms' && m.when === 'debugType == lockstep'));
  const title: Json[] = pkg.contributes.menus['view/title'];
  for (const c of ['lockstep.compareVms', 'lockstep.showTimeline']) assert.ok(title.some((m) => m.command === c && /^navigation/.test(m.group)), `${c} in the Hosts view title bar`);
  for (const c of ['lockstep.ft.testFailover', 'lockstep.fault.crashPrimaryHost', 'lockstep.injectFault']) assert.ok(title.some((m) => m.command === c), `${c} in the Hosts view's title menu`);
});

test('F5 on guest files: a Debug Guest Program command in the editor Run menu and the Explorer, and F5 on an ELF with no launch configuration', () => {
  const menus = pkg.contributes.menus;
  assert.deepEqual(menus['editor/title/run'].map((m: Json) => m.command), ['lockstep.debugFile']);
  assert.deepEqual(menus['explorer/context'].map((m: Json) => m.command), ['lockstep.debugFile']);
  const [key] = pkg.contributes.keybindings;
  assert.equal(key.command, 'lockstep.debugFile');
  assert.equal(key.key, 'f5');
  // Only when F5 would otherwise ask which debugger (no session, no selected launch configuration) and on an ELF.
  for (const part of ['debugState == inactive', '!debugConfigurationType', 'resourceExtname =~ /^\\.elf$/i']) assert.ok(key.when.includes(part), part);
  assert.equal(pkg.contributes.configuration.properties['lockstep.claimRiscvAssembly'].default, true);
  assert.ok(debuggerContribution.languages.includes('lockstep-asm'), 'a claimed .s document finds Lockstep by its language');
});

// The Timeline panel and its page share one definition of their messages (src/extension/timeline-messages.ts): both
// programs' send and receive paths resolve to it (checked with the TypeScript compiler), nothing re-declares it, and
// each side accepts what the other sends.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { parsePanelMessage, parseWebviewMessage, type PanelMessage, type WebviewMessage } from '../../src/extension/timeline-messages';
import { timelineModel } from '../../src/extension/timeline-model';
import { syntheticBody } from './timeline-fixture';

const ROOT = join(__dirname, '../..');
const SHARED = 'src/extension/timeline-messages.ts';
const rel = (f: string): string => relative(ROOT, f).split('\\').join('/');

/** The program of a tsconfig (the webview's: DOM, no Node) or of some root files under the main tsconfig's options. */
function program(tsconfig: string, roots?: string[]): ts.Program {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, tsconfig), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(String(d.messageText)); } })!;
  return ts.createProgram({ rootNames: roots?.map((r) => join(ROOT, r)) ?? parsed.fileNames, options: { ...parsed.options, noEmit: true } });
}

function nodes<T extends ts.Node>(sf: ts.SourceFile, is: (n: ts.Node) => n is T): T[] {
  const out: T[] = [];
  const visit = (n: ts.Node): void => { if (is(n)) out.push(n); ts.forEachChild(n, visit); };
  visit(sf);
  return out;
}

/** Where the symbol at `n` is declared, through imports: `file#name`. */
function declaredAt(checker: ts.TypeChecker, n: ts.Node): string {
  let sym = checker.getSymbolAtLocation(n);
  if (sym !== undefined && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
  const d = sym?.declarations?.[0];
  return d === undefined ? '?' : `${rel(d.getSourceFile().fileName)}#${sym!.name}`;
}

/** Declarations of the type named by the first parameter of every method or function `name` declared in `file`. */
function paramTypes(p: ts.Program, file: string, name: string): string[] {
  const sf = p.getSourceFile(join(ROOT, file))!;
  const fns = nodes(sf, (n): n is ts.MethodDeclaration | ts.MethodSignature | ts.FunctionDeclaration =>
    (ts.isMethodDeclaration(n) || ts.isMethodSignature(n) || ts.isFunctionDeclaration(n)) && n.name?.getText(sf) === name);
  return fns.map((f) => {
    const t = f.parameters[0]?.type;
    return t !== undefined && ts.isTypeReferenceNode(t) ? declaredAt(p.getTypeChecker(), t.typeName) : '?';
  });
}

/** Declarations of the functions called `name` in `file`. */
function calls(p: ts.Program, file: string, name: string): string[] {
  const sf = p.getSourceFile(join(ROOT, file))!;
  return nodes(sf, ts.isCallExpression).filter((c) => ts.isIdentifier(c.expression) && c.expression.text === name).map((c) => declaredAt(p.getTypeChecker(), c.expression));
}

test('the page and the panel send and receive through the shared message types', { timeout: 120_000 }, () => {
  const page = program('src/extension/webview/tsconfig.json');
  assert.deepEqual(ts.getPreEmitDiagnostics(page).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
  // The page posts only through the webview API typed by WebviewMessage, and reads messages with parsePanelMessage.
  assert.deepEqual(paramTypes(page, 'src/extension/webview/vscode-api.ts', 'postMessage'), [`${SHARED}#WebviewMessage`]);
  assert.deepEqual(calls(page, 'src/extension/webview/timeline.ts', 'parsePanelMessage'), [`${SHARED}#parsePanelMessage`]);

  const panel = program('tsconfig.json', ['src/extension/timeline-panel.ts']);
  // The panel posts PanelMessages and reads the page's messages with parseWebviewMessage.
  assert.deepEqual(paramTypes(panel, 'src/extension/timeline-panel.ts', 'post'), [`${SHARED}#PanelMessage`]);
  assert.deepEqual(calls(panel, 'src/extension/timeline-panel.ts', 'parseWebviewMessage'), [`${SHARED}#parseWebviewMessage`]);
});

test('no other module of the extension declares the messages again', () => {
  const files = (dir: string): string[] => readdirSync(join(ROOT, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : []));
  for (const f of files('src/extension').filter((x) => x !== SHARED)) {
    const sf = ts.createSourceFile(f, readFileSync(join(ROOT, f), 'utf8'), ts.ScriptTarget.ES2022);
    const declared = nodes(sf, (n): n is ts.TypeAliasDeclaration | ts.InterfaceDeclaration => ts.isTypeAliasDeclaration(n) || ts.isInterfaceDeclaration(n)).map((d) => d.name.text);
    assert.deepEqual(declared.filter((n) => /^(WebviewMessage|PanelMessage)$/.test(n)), [], f);
  }
});

test('each side accepts what the other sends, through a structured clone', () => {
  const sent: WebviewMessage[] = [{ type: 'ready' }, { type: 'seek', timeNs: 0 }, { type: 'seek', timeNs: 140_200_000 }];
  for (const m of sent) assert.deepEqual(parseWebviewMessage(structuredClone(m)), m);
  const posted: PanelMessage[] = [{ type: 'data', data: timelineModel(syntheticBody(50)) }, { type: 'status', text: 'Session ended: the last timeline stays' }];
  for (const m of posted) assert.deepEqual(parsePanelMessage(structuredClone(m)), m);
  for (const bad of [null, 'data', { type: 'data' }, { type: 'data', data: null }, { type: 'seek', timeNs: 1 }]) assert.equal(parsePanelMessage(bad), undefined, JSON.stringify(bad));
  assert.deepEqual(parsePanelMessage({ type: 'status', text: null }), { type: 'status', text: '' }, 'a status without text shows nothing');
});

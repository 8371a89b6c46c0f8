// Random documents and random positions sent to every request: the server must answer each one and never crash.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CompletionRequest, DefinitionRequest, DocumentSymbolRequest, HoverRequest, PrepareRenameRequest, ReferencesRequest, RenameRequest,
  ResponseError, LSPErrorCodes, DocumentSymbol,
} from 'vscode-languageserver-protocol/node';
import { LspClient } from './client';
import { mulberry32 } from '../helpers/mulberry32';

type Pos = { line: number; character: number };
type Rng = { start: Pos; end: Pos };
const le = (a: Pos, b: Pos): boolean => a.line < b.line || (a.line === b.line && a.character <= b.character);
const inside = (inner: Rng, outer: Rng): boolean => le(outer.start, inner.start) && le(inner.end, outer.end) && le(inner.start, inner.end);

/** VS Code drops outline entries whose selection range or children leave their range. */
function checkOutline(syms: DocumentSymbol[], parent?: Rng): void {
  for (const s of syms) {
    assert.ok(inside(s.selectionRange, s.range), `selection outside range: ${JSON.stringify(s)}`);
    if (parent) assert.ok(inside(s.range, parent), `child outside parent: ${JSON.stringify(s)}`);
    checkOutline(s.children ?? [], s.range);
  }
}

const PIECES = ['loop:', '1:', '2:', '1f', '1b', '2b', 'li', 'la', 'addi', 'csrr', 'csrw', 'mstatus', 'mtvec', 'a0', 'sp', 'x31', 't0',
  ',', ', ', '(', ')', '0x10001000', '0x10000005', '-1', '99999999999999999999', '+', '.text', '.data', '.equ', 'X,', 'X', '=', '.section',
  '.macro m a', '.endm', '.rept 3', '.endr', '\\a', '.if 1', '.endif', '"str', '"ok"', "'c'", '# c', '/*', '*/', ';', ':', '\n', '\n', '\n',
  '    ', '\t', 'é', '😀', '\r\n', 'call', 'j', 'beqz', 'lw', 'sw', '.word', '.align 2', '.option rvc', 'c.addi', 'ret', '@', '%hi(', '.'];


function randomDoc(rnd: () => number): string {
  const n = Math.floor(rnd() * 60);
  let s = '';
  for (let i = 0; i < n; i++) s += (rnd() < 0.6 ? ' ' : '') + PIECES[Math.floor(rnd() * PIECES.length)];
  if (rnd() < 0.1) s += String.fromCharCode(...Array.from({ length: 30 }, () => Math.floor(rnd() * 0x3000)));
  return s;
}

describe('lsp fuzz', () => {
  const c = new LspClient();
  before(() => c.initialize());
  after(() => c.stop());

  it('answers every request on random documents and positions', async () => {
    const rnd = mulberry32(12345);
    const uri = 'file:///tmp/fuzz.s';
    await c.open(uri, '');
    for (let round = 0; round < 150; round++) {
      const text = randomDoc(rnd);
      await c.change(uri, round + 2, text);
      const lines = text.split('\n');
      for (let k = 0; k < 6; k++) {
        const line = Math.floor(rnd() * (lines.length + 2)) - (rnd() < 0.05 ? 1 : 0);
        const character = Math.floor(rnd() * ((lines[line]?.length ?? 3) + 3));
        const position = { line: Math.max(0, line), character };
        const td = { textDocument: { uri }, position };
        await c.conn.sendRequest(HoverRequest.type, td);
        await c.conn.sendRequest(CompletionRequest.type, td);
        await c.conn.sendRequest(DefinitionRequest.type, td);
        await c.conn.sendRequest(ReferencesRequest.type, { ...td, context: { includeDeclaration: rnd() < 0.5 } });
        for (const req of [c.conn.sendRequest(PrepareRenameRequest.type, td), c.conn.sendRequest(RenameRequest.type, { ...td, newName: rnd() < 0.5 ? 'fresh' : 'a0' })]) {
          await req.catch((e: unknown) => assert.ok(e instanceof ResponseError && e.code === LSPErrorCodes.RequestFailed, `${text}\n${String(e)}`));
        }
      }
      checkOutline((await c.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[]);
    }
    assert.equal(c.exited, false);
    assert.deepEqual(c.logs.filter((l) => l.includes('lockstep-asm')), []);
    const h = await c.conn.sendRequest(HoverRequest.type, { textDocument: { uri: 'file:///tmp/none.s' }, position: { line: 0, character: 0 } });
    assert.equal(h, null);
  });
});

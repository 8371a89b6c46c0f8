// The language server end to end over stdio: diagnostics, hover, completion, navigation, outline and rename.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CompletionRequest, DefinitionRequest, DocumentSymbolRequest, HoverRequest, Location, MarkupContent, PrepareRenameRequest,
  ReferencesRequest, RenameRequest, DocumentSymbol, CompletionItem, WorkspaceEdit, TextEdit,
} from 'vscode-languageserver-protocol/node';
import { LspClient, posOf } from './client';

const SRC = `    .equ    UART_BASE, 0x10000000
    .equ    UART_LSR, 5
    .text
    .globl  _start
_start:
    la      sp, stack_top
    li      a0, 0x10001014
    csrr    t0, mstatus
    call    puts
1:  wfi
    j       1b
puts:
    li      t0, UART_BASE
1:  lbu     t1, 0(a0)
    beqz    t1, 2f
    lbu     t2, UART_LSR(t0)
    j       1b
2:  ret
    .data
msg:
    .asciz  "hi"
    .bss
stack:
    .space  64
stack_top:
`;
const URI = 'file:///tmp/features.s';

describe('lsp features', () => {
  const c = new LspClient();
  before(async () => { await c.initialize(); await c.open(URI, SRC); });
  after(() => c.stop());

  const at = (needle: string, nth = 0, delta = 0) => ({ textDocument: { uri: URI }, position: posOf(SRC, needle, nth, delta) });
  const hoverText = async (needle: string, nth = 0, delta = 0): Promise<string> => {
    const h = await c.conn.sendRequest(HoverRequest.type, at(needle, nth, delta));
    return h ? (h.contents as MarkupContent).value : '';
  };

  it('publishes no diagnostics for a good program, and exact ranges for a bad mnemonic', async () => {
    assert.deepEqual(c.latest.get(URI)?.diagnostics, []);
    const bad = 'start:\n    addi a0, a0, 1\n    frob a1, a2\n    addi a0, a0, 99999\n';
    const d = await c.open('file:///tmp/bad.s', bad);
    const err = d.diagnostics.find((x) => /unknown instruction/.test(x.message));
    assert.ok(err, JSON.stringify(d.diagnostics));
    assert.deepEqual(err.range, { start: { line: 2, character: 4 }, end: { line: 2, character: 8 } });
    assert.equal(err.severity, 1);
    assert.ok(d.diagnostics.some((x) => x.range.start.line === 3), 'out-of-range immediate reported too');
  });

  it('republishes on change, with warnings as warnings', async () => {
    const d = await c.change('file:///tmp/bad.s', 2, '    .data\n    .byte 300\n');
    assert.equal(d.diagnostics.length, 1);
    assert.equal(d.diagnostics[0].severity, 2);
  });

  it('hovers instructions with the expansion and the words the line assembled to', async () => {
    const li = await hoverText('li      a0', 0, 1);
    assert.match(li, /load a 32-bit constant/);
    assert.match(li, /lui rd/);
    assert.match(li, /lui a0,0x10001/);
    assert.match(await hoverText('csrr'), /csrrs rd, csr, zero/);
  });

  it('hovers registers, CSRs and labels', async () => {
    assert.match(await hoverText('sp,'), /\*\*sp\*\* \(x2\) — stack pointer; callee-saved/);
    assert.match(await hoverText('t0, mstatus'), /x5.*caller-saved/);
    const ms = await hoverText('mstatus', 0, 2);
    assert.match(ms, /CSR 0x300/);
    assert.match(ms, /MIE/);
    const puts = await hoverText('call    puts', 0, 9);
    assert.match(puts, /\*\*label\*\* `puts` — defined at line 12 in `.text`/);
    assert.match(puts, /address 0x80000/);
    assert.match(await hoverText('1b', 0, 0), /local label `1:`\*\* — defined at line 10/);
  });

  it('hovers device addresses: literal numbers, constants and offset(base) operands', async () => {
    assert.match(await hoverText('0x10001014'), /Lockstep NIC.*RX_POP/);
    assert.match(await hoverText('0x10000000'), /UART 16550.*RBR\/THR/);
    assert.match(await hoverText('UART_LSR(t0)', 0, 2), /value 5[\s\S]*register \*\*LSR\*\*/);
    assert.equal(await hoverText('0(a0)'), '', 'a0 was loaded before a call and another routine: no guess');
  });

  it('completes mnemonics, registers, CSRs, labels and directives', async () => {
    const items = async (line: number, character: number, text: string): Promise<string[]> => {
      const uri = 'file:///tmp/complete.s';
      await c.open(uri, text);
      const r = await c.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line, character } });
      return ((Array.isArray(r) ? r : r?.items ?? []) as CompletionItem[]).map((i) => i.label);
    };
    assert.ok((await items(1, 6, 'x:\n    ad')).includes('addi'));
    const ops = await items(1, 13, 'x:\n    addi a0, \n');
    assert.ok(ops.includes('a0') && ops.includes('x'));
    const csrs = await items(0, 14, '    csrr a0, m');
    assert.ok(csrs.includes('mstatus') && !csrs.includes('a0'));
    assert.ok((await items(0, 6, '    .t')).includes('.text'));
  });

  it('goes to definitions, including numeric local labels', async () => {
    const def = async (needle: string, nth = 0, delta = 0): Promise<number[]> =>
      ((await c.conn.sendRequest(DefinitionRequest.type, at(needle, nth, delta))) as Location[]).map((l) => l.range.start.line);
    assert.deepEqual(await def('puts', 0, 1), [11]);
    assert.deepEqual(await def('1b', 0), [9]);
    assert.deepEqual(await def('1b', 1), [13]);
    assert.deepEqual(await def('2f', 0), [17]);
    assert.deepEqual(await def('UART_BASE', 1), [0]);
  });

  it('finds references', async () => {
    const refs = (await c.conn.sendRequest(ReferencesRequest.type, { ...at('stack_top'), context: { includeDeclaration: true } })) as Location[];
    assert.deepEqual(refs.map((l) => l.range.start.line).sort((a, b) => a - b), [5, 24]);
    const local = (await c.conn.sendRequest(ReferencesRequest.type, { ...at('1:', 1), context: { includeDeclaration: false } })) as Location[];
    assert.deepEqual(local.map((l) => l.range.start.line), [16]);
  });

  it('outlines labels under their sections', async () => {
    const syms = (await c.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: URI } })) as DocumentSymbol[];
    const names = syms.map((s) => `${s.name}:${(s.children ?? []).map((k) => k.name).join(',')}`);
    assert.deepEqual(names, ['.text:UART_BASE,UART_LSR', '.text:_start,puts', '.data:msg', '.bss:stack,stack_top']);
  });

  it('renames labels and rejects bad or taken names', async () => {
    const prep = await c.conn.sendRequest(PrepareRenameRequest.type, at('puts', 1, 1));
    assert.ok(prep && 'placeholder' in prep && prep.placeholder === 'puts');
    const edit = (await c.conn.sendRequest(RenameRequest.type, { ...at('puts', 1), newName: 'print' })) as WorkspaceEdit;
    const edits = edit.changes![URI] as TextEdit[];
    assert.deepEqual(edits.map((e) => e.range.start.line).sort((a, b) => a - b), [8, 11]);
    assert.ok(edits.every((e) => e.newText === 'print'));
    await assert.rejects(c.conn.sendRequest(RenameRequest.type, { ...at('puts', 1), newName: 'msg' }), /already defined/);
    await assert.rejects(c.conn.sendRequest(RenameRequest.type, { ...at('puts', 1), newName: '9bad' }), /not a valid/);
    await assert.rejects(c.conn.sendRequest(RenameRequest.type, { ...at('puts', 1), newName: 'a0' }), /register/);
    await assert.rejects(c.conn.sendRequest(PrepareRenameRequest.type, at('wfi')), /Only labels/);
  });

  it('answers on a document that does not assemble (tolerant scan)', async () => {
    const uri = 'file:///tmp/broken.s';
    const text = 'loop:\n    bogus x1\n    j loop\n    addi a0,\n';
    const d = await c.open(uri, text);
    assert.ok(d.diagnostics.length >= 2);
    const locs = (await c.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: { line: 2, character: 7 } })) as Location[];
    assert.deepEqual(locs.map((l) => l.range.start.line), [0]);
    const h = await c.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 2, character: 7 } });
    assert.match((h!.contents as MarkupContent).value, /label.*loop/);
  });
});

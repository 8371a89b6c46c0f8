// The pure decisions behind the editor's UX fixes: which .s files are RISC-V, partition requests, the paused note,
// the quiet Compare arguments, the Timeline's Fit range and its event labels.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { claimsDocument, looksLikeRiscv, mnemonicOf } from '../../src/extension/guest-sniff';
import { describeReply, partitionRequest } from '../../src/extension/actions';
import { RunStates } from '../../src/extension/run-state';
import { COMPARE_ARGS, snapshotOf } from '../../src/extension/compare-docs';
import { fitRange, labelWidths } from '../../src/extension/webview/labels';
import { argsProblems } from '../../src/debug/requests';
import { parseScenario } from '../../src/ft/scenario';

const root = join(__dirname, '../..');
const read = (p: string): string => readFileSync(join(root, p), 'utf8');

const X86 = `
    .globl _start
_start:
    movl    $1, %eax        # exit
    xorl    %ebx, %ebx
    int     $0x80
`;
const X86_INTEL = `
section .text
_start:
    mov eax, 1
    push ebp
    lea esi, [msg]
    ret
`;
const ARM = `
    .global main
main:
    push    {r4, lr}
    ldr     r0, =msg        @ message
    bl      puts
    mov     r0, #0
    pop     {r4, pc}
`;
const AARCH64 = `
_start:
    mov     x0, #1
    adr     x1, msg
    ldr     x2, =len
    mov     x8, #64
    svc     #0
    ret
`;

test('RISC-V assembly is recognised by its instructions; x86, ARM and AArch64 are not', () => {
  assert.equal(looksLikeRiscv(read('examples/hello/hello.s')), true);
  assert.equal(looksLikeRiscv(read('examples/common/start.S')), true);
  for (const [name, text] of [['x86 AT&T', X86], ['x86 Intel', X86_INTEL], ['ARM', ARM], ['AArch64', AARCH64], ['empty', ''], ['prose', 'This is a note.\nNothing here.\n']]) {
    assert.equal(looksLikeRiscv(text), false, name);
  }
  assert.equal(mnemonicOf('loop:  addi a0, a0, -1   # count down'), 'addi');
  assert.equal(mnemonicOf('    .text'), undefined);
  assert.equal(mnemonicOf('# la a0, x'), undefined);
  assert.equal(mnemonicOf('1:  bnez t0, 1b'), 'bnez');
});

test('only Plain Text documents named like assembly are claimed', () => {
  const text = read('examples/hello/hello.s');
  assert.equal(claimsDocument({ languageId: 'plaintext', fileName: '/w/hello.s', text }), true);
  assert.equal(claimsDocument({ languageId: 'plaintext', fileName: '/w/start.S', text }), true);
  assert.equal(claimsDocument({ languageId: 'riscv', fileName: '/w/hello.s', text }), false, 'another extension\'s language stays');
  assert.equal(claimsDocument({ languageId: 'plaintext', fileName: '/w/hello.txt', text }), false);
  assert.equal(claimsDocument({ languageId: 'plaintext', fileName: '/w/boot.s', text: X86 }), false);
});

test('a partition puts the chosen hosts against all the others, in the scenario\'s shape, which the contract and the scenario accept', () => {
  const hosts = ['host-a', 'host-b', 'host-c'];
  const one = partitionRequest(['host-a'], hosts)!;
  assert.deepEqual(one, { command: 'injectFault', args: { kind: 'partition', groups: [['host-a'], ['host-b', 'host-c']] } });
  assert.deepEqual(partitionRequest(['host-c', 'host-a'], hosts)!.args.groups, [['host-a', 'host-c'], ['host-b']], 'in the hosts\' order');
  assert.equal(partitionRequest([], hosts), undefined);
  assert.equal(partitionRequest(hosts, hosts), undefined);
  assert.equal(partitionRequest(['host-z'], hosts), undefined, 'an unknown host is no side');
  assert.deepEqual(argsProblems('injectFault', one.args), []);
  assert.doesNotThrow(() => parseScenario({ program: 'x.s', hosts: hosts.map((name) => ({ name })), faults: [{ atMs: 1, ...one.args }] }));
});

test('an injection while paused says it takes effect when the run resumes', () => {
  const req = partitionRequest(['host-a'], ['host-a', 'host-b'])!;
  assert.equal(describeReply(req, { atNs: 2e6 }), 'Lockstep: partition host-a | host-b injected at 2.000 ms.');
  assert.match(describeReply(req, { atNs: 2e6 }, { paused: true }), /injected at 2\.000 ms\. The cluster is paused: the fault takes effect when the run resumes/);
  const runs = new RunStates();
  assert.equal(runs.isPaused('s'), false);
  runs.fromAdapter('s', { type: 'event', event: 'stopped' });
  assert.equal(runs.isPaused('s'), true);
  runs.toAdapter('s', { type: 'request', command: 'stackTrace' });
  assert.equal(runs.isPaused('s'), true, 'a look at the stack does not run it');
  runs.toAdapter('s', { type: 'request', command: 'next' });
  assert.equal(runs.isPaused('s'), false);
  runs.fromAdapter('s', { type: 'event', event: 'stopped' });
  runs.fromAdapter('s', { type: 'event', event: 'continued' });
  assert.equal(runs.isPaused('s'), false);
});

test('Compare asks quietly and shows a noPair reply as its reason', () => {
  assert.deepEqual(argsProblems('compareVMs', COMPARE_ARGS), []);
  assert.deepEqual(snapshotOf({ noPair: 'no secondary to compare now' }), { kind: 'none', reason: 'no secondary to compare now' });
});

test('Fit shows the explored run (the furthest time reached), under untilMs', () => {
  const ms = 1e6;
  const [a, b] = fitRange(120 * ms, 300 * ms, 1000 * ms, ms);
  assert.ok(a < 0 && a > -10 * ms, String(a));
  assert.ok(b >= 300 * ms && b < 310 * ms, `ends just after the frontier, not at untilMs: ${b}`);
  assert.ok(fitRange(500 * ms, 300 * ms, 1000 * ms, ms)[1] >= 500 * ms, 'the cursor beyond the frontier is in view');
  assert.ok(fitRange(0, 2000 * ms, 1000 * ms, ms)[1] <= 1000 * ms * 1.03, 'untilMs is the ceiling');
  assert.ok(fitRange(0, 0, 1000 * ms, ms)[1] >= ms, 'a fresh run shows its first millisecond');
});

test('event labels are drawn whole or not at all: none overlaps the next button of its lane', () => {
  const MARK = 18;
  const items = [
    { x: 100, lane: 1, width: 60 }, // next on lane 1 at 140: no room for 60 px
    { x: 110, lane: 2, width: 30 }, // lane 2 alone until 400
    { x: 140, lane: 1, width: 40 },
    { x: 400, lane: 2, width: 50 },
    { x: 980, lane: 1, width: 40 }, // the plot ends at 1000
  ];
  assert.deepEqual(labelWidths(items, 1000, MARK), [0, 30, 40, 50, 0]);
  const w = labelWidths(items, 1000, MARK);
  for (let i = 0; i < items.length; i++) {
    const next = items.slice(i + 1).find((n) => n.lane === items[i].lane);
    if (w[i] > 0 && next) assert.ok(items[i].x + MARK / 2 + w[i] < next.x - MARK / 2, `label ${i} stops before the next button`);
  }
});

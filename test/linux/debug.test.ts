// The debugger on a Linux guest (examples/linux, `npm run linux`): kernel symbols, lines and DWARF from vmlinux (symbolFile); a function breakpoint in the kernel, a step back, a host crash and /init carrying on.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, evalIn, launch, stoppedAfter, threadNames, topFrame, withClient } from '../debug/helpers';
import { LaunchError, prepareLaunch } from '../../src/debug/launch';

const DIR = join(ROOT, 'examples', 'linux');
const missing = existsSync(join(DIR, 'linux.elf')) && existsSync(join(DIR, 'vmlinux')) ? false : 'examples/linux is not built: `npm run linux` builds it (CI does)';
const BOOT = JSON.parse(readFileSync(join(DIR, 'boot.json'), 'utf8')) as Record<string, unknown>;
const args = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ ...BOOT, cwd: DIR, symbolFile: 'vmlinux', ...extra });

test('symbolFile must name a readable ELF', () => {
  const refused = (v: unknown, pattern: RegExp): void => {
    assert.throws(() => prepareLaunch({ program: join(ROOT, 'examples/kvstore/kvstore.elf'), symbolFile: v }), (e: unknown) => e instanceof LaunchError && pattern.test(e.message), String(v));
  };
  refused('', /^symbolFile: must be the path of an ELF file/);
  refused(42, /^symbolFile: must be the path of an ELF file/);
  refused('/no/such/vmlinux', /^symbolFile: cannot read \/no\/such\/vmlinux/);
  refused(join(ROOT, 'README.md'), /^symbolFile: .*README\.md: ELF: not an ELF file/);
});

test('Linux in the debugger: a breakpoint on the kernel\'s vfs_write stops in fs/read_write.c when /init writes its banner; step back; the primary\'s host crashes and /init carries on on the new primary', { skip: missing, timeout: 600_000 }, () =>
  withClient(async (dc) => {
    const stop = await launch(dc, args({ untilMs: 200, stopOnEntry: false }), () => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'vfs_write' }] }));
    assert.equal(stop.body.reason, 'function breakpoint');
    const tid = stop.body.threadId!;
    const top = await topFrame(dc, tid);
    assert.equal(top.name, 'vfs_write');
    assert.match(top.source?.path ?? "", /fs\/read_write\.c$/);
    assert.ok(top.line >= 560 && top.line <= 580, `line ${top.line} of vfs_write`);
    const pc = Number.parseInt(top.instructionPointerReference ?? '', 16);
    assert.ok(pc >= 0xc000_0000, `a kernel virtual address: 0x${pc.toString(16)}`);
    // The debugger reads memory as the stopped hart addresses it: the kernel's and /init's (its `buf`, a user address).
    assert.equal(await evalIn(dc, 'count', top.id), '0', '/init\'s first write is its probe of fd 1');
    const second = await stoppedAfter(dc, () => dc.continueRequest({ threadId: tid }));
    assert.equal(second.body.reason, 'function breakpoint');
    const banner = await topFrame(dc, tid);
    assert.equal(await evalIn(dc, 'count', banner.id), '33');
    assert.match(await evalIn(dc, 'buf', banner.id), /^0x[0-9a-f]+ "lockstep \/init: hello from Linux\\n"$/);
    assert.match(await evalIn(dc, 'file->f_mode', banner.id), /^\d+$/);
    const names = (await dc.stackTraceRequest({ threadId: tid })).body.stackFrames.map((f) => f.name);
    assert.deepEqual(names.slice(0, 2), ['vfs_write', 'ksys_write'], 'unwound through the kernel stack');
    // Back one instruction: still in the kernel, before the breakpoint.
    const back = await stoppedAfter(dc, () => dc.stepBackRequest({ threadId: tid, granularity: 'instruction' }));
    assert.equal(back.body.reason, 'step');
    const before = await topFrame(dc, tid);
    assert.notEqual(before.instructionPointerReference, banner.instructionPointerReference);
    // Crash the primary's host: the secondary goes live and /init's ticks go on.
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    await dc.setExceptionBreakpointsRequest({ filters: ['failover'] });
    await dc.customRequest('injectFault', { kind: 'hostCrash', host: '@primary' });
    const failover = await stoppedAfter(dc, () => dc.continueRequest({ threadId: tid }));
    assert.equal(failover.body.reason, 'exception');
    assert.ok((await threadNames(dc)).includes('primary @ host-b'));
    const out: string[] = [];
    dc.on('output', (e) => out.push(e.body.output));
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    const end = await stoppedAfter(dc, () => dc.continueRequest({ threadId: failover.body.threadId! }));
    assert.equal(end.body.reason, 'pause', 'the end of the scenario');
    assert.match(out.join(''), /tick \d+/, 'the console carries on after the failover');
  }, true));

test('a kernel function that does not exist is an unverified breakpoint with a reason', { skip: missing, timeout: 120_000 }, () =>
  withClient(async (dc) => {
    await dc.launch(args({ untilMs: 1, stopOnEntry: true }));
    const r = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'no_such_kernel_function' }] });
    assert.equal(r.body.breakpoints[0].verified, false);
    assert.match(r.body.breakpoints[0].message ?? '', /no_such_kernel_function/);
  }, true));

test('a function breakpoint on the kernel\'s do_sys_openat2 stops in fs/open.c when /init opens /dev/mem, with the file name read from /init\'s memory', { skip: missing, timeout: 300_000 }, () =>
  withClient(async (dc) => {
    let stop = await launch(dc, args({ untilMs: 60, stopOnEntry: false }), () => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'do_sys_openat2' }] }));
    const names: string[] = [];
    for (let i = 0; i < 4; i++) { // /init opens /kv.log first (when its root has one), then /dev/mem
      assert.equal(stop.body.reason, 'function breakpoint');
      const top = await topFrame(dc, stop.body.threadId!);
      assert.equal(top.name, 'do_sys_openat2');
      assert.match(top.source?.path ?? '', /fs\/open\.c$/);
      names.push(await evalIn(dc, 'filename', top.id));
      if (/"\/dev\/mem"$/.test(names[names.length - 1])) break;
      stop = await stoppedAfter(dc, () => dc.continueRequest({ threadId: stop.body.threadId! }));
    }
    assert.match(names[names.length - 1], /"\/dev\/mem"$/, names.join(', '));
  }, true));

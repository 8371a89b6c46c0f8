// The debugger on a Linux guest (examples/linux, `npm run linux`): kernel symbols, lines and DWARF from vmlinux (symbolFile), /init's from init.elf (userSymbolFiles); breakpoints in both, steps in /init, a step back, a host crash and /init carrying on.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT, errorOf, evalIn, launch, lineOf, stoppedAfter, threadNames, topFrame, withClient } from '../debug/helpers';
import { LaunchError, prepareLaunch } from '../../src/debug/launch';
import { LockstepRuntime } from '../../src/debug/runtime';
import { UNITS_READ_ALL_MAX } from '../../src/machine/dwarf-debug-info';

const DIR = join(ROOT, 'examples', 'linux');
const missing = existsSync(join(DIR, 'linux.elf')) && existsSync(join(DIR, 'vmlinux')) ? false : 'examples/linux is not built: `npm run linux` builds it (CI does)';
const BOOT = JSON.parse(readFileSync(join(DIR, 'boot.json'), 'utf8')) as Record<string, unknown>;
const args = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ ...BOOT, cwd: DIR, symbolFile: 'vmlinux', ...extra });
const INIT_C = join(ROOT, 'scripts', 'linux', 'init', 'init.c');
const noInit = missing || (existsSync(join(DIR, 'init.elf')) ? false : 'examples/linux/init.elf is not built: `npm run linux` builds it');
const withInit = (extra: Record<string, unknown> = {}): Record<string, unknown> => args({ userSymbolFiles: { init: 'init.elf' }, ...extra });

test('symbolFile must name a readable ELF', () => {
  const refused = (v: unknown, pattern: RegExp): void => {
    assert.throws(() => prepareLaunch({ program: join(ROOT, 'examples/kvstore/kvstore.elf'), symbolFile: v }), (e: unknown) => e instanceof LaunchError && pattern.test(e.message), String(v));
  };
  refused('', /^symbolFile: must be the path of an ELF file/);
  refused(42, /^symbolFile: must be the path of an ELF file/);
  refused('/no/such/vmlinux', /^symbolFile: cannot read \/no\/such\/vmlinux/);
  refused(join(ROOT, 'README.md'), /^symbolFile: .*README\.md: ELF: not an ELF file/);
});

test('userSymbolFiles must map process names to readable ELFs, and needs symbolFile', () => {
  const KV = join(ROOT, 'examples/kvstore/kvstore.elf');
  const launchWith = (v: unknown, symbolFile: unknown = KV) => prepareLaunch({ program: KV, cwd: dirname(KV), symbolFile, userSymbolFiles: v });
  const refused = (v: unknown, pattern: RegExp, symbolFile?: unknown): void => {
    assert.throws(() => launchWith(v, symbolFile), (e: unknown) => e instanceof LaunchError && pattern.test(e.message), JSON.stringify(v));
  };
  refused(['init.elf'], /^userSymbolFiles: must map process names to ELF files/);
  refused({ init: 42 }, /^userSymbolFiles\.init: must map process names to ELF files/);
  refused({ 'sbin/init': KV }, /^userSymbolFiles: "sbin\/init" is not a process name/);
  refused({ a_name_of_16_chr: KV }, /is not a process name \(the kernel's task name: 1 to 15 characters/);
  refused({ init: '/no/such/init.elf' }, /^userSymbolFiles\.init: cannot read \/no\/such\/init\.elf/);
  refused({ init: join(ROOT, 'README.md') }, /^userSymbolFiles\.init: .*README\.md: ELF: not an ELF file/);
  assert.throws(() => prepareLaunch({ program: KV, userSymbolFiles: { init: KV } }), /^Error: userSymbolFiles: needs symbolFile/);
  const ok = launchWith({ init: KV, kvstore: 'kvstore.elf' }).userSymbolFiles;
  assert.deepEqual(ok?.map((f) => [f.name, f.path]), [['init', KV], ['kvstore', KV]], 'a relative path resolves against cwd');
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
    // A macro left in Watch from a kvstore session: no scope, unit or symbol has it, and the answer says where it looked.
    assert.match(await errorOf(dc.evaluateRequest({ expression: 'REQ_HEADER', frameId: banner.id, context: 'watch' })), /^No symbol "REQ_HEADER" in current context\. vmlinux has \d+ compile units, so a name is looked up in vfs_write's scopes, its unit fs\/read_write\.c and the symbol table/);
    const names = (await dc.stackTraceRequest({ threadId: tid })).body.stackFrames.map((f) => f.name);
    assert.deepEqual(names.slice(0, 2), ['vfs_write', 'ksys_write'], 'unwound through the kernel stack');
    // The kernel has 550 compile units: Globals lists the stopped frame's file's (fs/read_write.c), not all of them.
    const scopes = (await dc.scopesRequest({ frameId: banner.id })).body.scopes;
    const globals = scopes.find((x) => x.name === 'Globals');
    assert.ok(globals !== undefined);
    const globalNames = (await dc.variablesRequest({ variablesReference: globals.variablesReference })).body.variables.map((x) => x.name);
    assert.ok(globalNames.includes('generic_ro_fops') && globalNames.length < 20, `fs/read_write.c's globals: ${globalNames.join(', ')}`);
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

test('names on vmlinux, whose compile units are too many to read them all: an unknown name (a macro left in Watch) reads no unit and says where it was looked for; a kernel global is found through its symbol, a few units read at most', { skip: noInit, timeout: 300_000 }, async () => {
  // In-process (not through the adapter) for DebugInfo's count of units read. Looking a name up in every unit took 15 s.
  const l = prepareLaunch(withInit({ untilMs: 200, stopOnEntry: false }));
  const rt = new LockstepRuntime({ scenario: l.scenario, program: l.program, programPath: l.programPath, programBytes: l.programBytes, symbolFile: l.symbolFile, userSymbolFiles: l.userSymbolFiles, injected: l.injected, breakOn: l.breakOn });
  rt.setCodeBreakpoints('function', [{ id: 1, addrs: [rt.resolveFunction('vfs_write')!.addr] }]);
  const stop = await rt.continue();
  assert.equal(stop.reason, 'function breakpoint');
  const vm = stop.vm!;
  const d = rt.info.dwarf!;
  assert.ok(d.large && d.unitCount > UNITS_READ_ALL_MAX, `${d.unitCount} compile units`);
  assert.equal(rt.evaluateC(vm, 0, 'count')?.text, '0', 'an argument: the frame (and its callers\' units) read');
  const frameUnits = d.unitsRead();
  const macro = /No symbol "REQ_HEADER" in current context\. vmlinux has \d+ compile units, so a name is looked up in vfs_write's scopes, its unit fs\/read_write\.c and the symbol table, not in every unit: enumerators and types only in fs\/read_write\.c, macros not at all\.$/;
  assert.throws(() => rt.evaluateC(vm, 0, 'REQ_HEADER'), macro);
  assert.throws(() => rt.evaluateC(vm, 0, 'sizeof(REQ_HEADER) + 1'), macro);
  assert.equal(d.unitsRead(), frameUnits, 'an unknown name reads no unit');
  assert.match(rt.evaluateC(vm, 0, 'generic_ro_fops.llseek')?.text ?? '', /<generic_file_llseek>$/, 'a global of the frame\'s own unit');
  assert.equal(d.unitsRead(), frameUnits);
  // A global of another unit: its symbol's address says which units may define it (init/main.c's system_state).
  assert.equal(rt.evaluateC(vm, 0, 'system_state')?.text, 'SYSTEM_RUNNING');
  assert.equal(rt.evaluateC(vm, 0, 'init_task.comm')?.text, '"swapper\\000\\000\\000\\000\\000\\000\\000\\000"');
  const found = d.unitsRead();
  assert.ok(found - frameUnits <= 16, `${found - frameUnits} units read for two globals`);
  // jiffies has no DWARF definition (the linker script makes it jiffies_64's low word): the machine's evaluator reads its symbol's word.
  assert.equal(rt.evaluateC(vm, 0, 'jiffies'), undefined);
  assert.match(String(rt.evaluate(vm, 'jiffies').value), /^-?\d+$/);
  assert.ok(d.unitsRead() - found <= 8, `${d.unitsRead() - found} units read for jiffies`);
  assert.ok(d.unitsRead() < UNITS_READ_ALL_MAX, `${d.unitsRead()} of ${d.unitCount} units read in all`);
});

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

test('userSymbolFiles: a function resolves in vmlinux or init.elf; in /init\'s system call the call stack goes on from the kernel into init.c; a function breakpoint in /init stops in init.c, reads its variables and steps over a line there', { skip: noInit, timeout: 600_000 }, () =>
  withClient(async (dc) => {
    let resolved: { verified: boolean; line?: number; source?: { path?: string } }[] = [];
    const stop = await launch(dc, withInit({ untilMs: 150, stopOnEntry: false }), async () => {
      resolved = (await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'vfs_write' }, { name: 'decimal' }] })).body.breakpoints;
    });
    assert.deepEqual(resolved.map((b) => b.verified), [true, true]);
    assert.match(resolved[0].source?.path ?? '', /fs\/read_write\.c$/, 'a kernel function: from vmlinux');
    assert.equal(resolved[1].source?.path, INIT_C, '/init\'s: from init.elf');
    const decimalAt = lineOf(INIT_C, 'static int decimal(');
    assert.ok(resolved[1].line! > decimalAt && resolved[1].line! < decimalAt + 12, `line ${resolved[1].line} of decimal`);
    // /init's first write: the kernel's vfs_write, then the system call's entry, then /init's frames from the registers it saved.
    assert.equal(stop.body.reason, 'function breakpoint');
    const tid = stop.body.threadId!;
    const frames = (await dc.stackTraceRequest({ threadId: tid })).body.stackFrames;
    const pcOf = (f: { instructionPointerReference?: string }): number => Number.parseInt(f.instructionPointerReference ?? '', 16);
    assert.equal(frames[0].name, 'vfs_write');
    const user = frames.findIndex((f) => f.source?.path === INIT_C);
    assert.ok(user >= 2, `the kernel's frames, then /init's: ${frames.map((f) => f.name).join(' < ')}`);
    assert.ok(frames.slice(0, user).every((f) => pcOf(f) >= 0xc000_0000) && frames.slice(user).every((f) => pcOf(f) < 0xc000_0000 && f.source?.path === INIT_C));
    assert.equal(frames[frames.length - 1].name, 'main');
    assert.equal(await evalIn(dc, 'polls', frames[user].id), '0', '/init\'s global, from its frame under the kernel\'s (before its loop)');
    // Only /init's decimal now: its first call.
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'decimal' }] });
    const hit = await stoppedAfter(dc, () => dc.continueRequest({ threadId: tid }));
    assert.equal(hit.body.reason, 'function breakpoint');
    const top = await topFrame(dc, tid);
    assert.equal(top.name, 'decimal');
    assert.equal(top.source?.path, INIT_C);
    assert.equal(top.line, resolved[1].line);
    assert.ok(pcOf(top) < 0xc000_0000, 'a user address');
    assert.match(await evalIn(dc, 'polls', top.id), /^\d+$/, 'a global of init.c');
    assert.match(await evalIn(dc, 'n', top.id), /^\d+$/, 'its argument');
    const stepped = await stoppedAfter(dc, () => dc.nextRequest({ threadId: tid }));
    assert.equal(stepped.body.reason, 'step');
    const next = await topFrame(dc, tid);
    assert.equal(next.name, 'decimal');
    assert.equal(next.source?.path, INIT_C);
    assert.ok(next.line > top.line && next.line < decimalAt + 12, `from line ${top.line} to ${next.line}`);
  }, true));

test('userSymbolFiles: a source breakpoint in init.c stops when /init runs that line; steps over lines that make system calls stay in init.c', { skip: noInit, timeout: 600_000 }, () =>
  withClient(async (dc) => {
    const line = lineOf(INIT_C, 'tick(++ticks);');
    const stop = await launch(dc, withInit({ untilMs: 150, stopOnEntry: false }), async () => {
      const r = await dc.setBreakpointsRequest({ source: { path: INIT_C }, breakpoints: [{ line }] });
      assert.deepEqual(r.body.breakpoints.map((b) => [b.verified, b.line]), [[true, line]]);
    });
    assert.equal(stop.body.reason, 'breakpoint');
    const tid = stop.body.threadId!;
    const frames = (await dc.stackTraceRequest({ threadId: tid })).body.stackFrames;
    assert.ok(frames.some((f) => f.name === 'main' && f.line === line && f.source?.path === INIT_C), frames.map((f) => `${f.name}:${f.line}`).join(' < '));
    const polls = Number(await evalIn(dc, 'polls', frames[0].id));
    assert.ok(polls >= 10 && polls % 10 === 0, `every 10th poll ticks: polls = ${polls}`);
    // Step over the tick's write and the 1 ms sleep: the kernel runs them, the steps stop in init.c only.
    await dc.setBreakpointsRequest({ source: { path: INIT_C }, breakpoints: [] });
    const sleep = lineOf(INIT_C, '__NR_clock_nanosleep_time64');
    const lines: number[] = [];
    for (let i = 0; i < 6 && !lines.includes(sleep); i++) {
      const s = await stoppedAfter(dc, () => dc.nextRequest({ threadId: tid }));
      assert.equal(s.body.reason, 'step');
      const f = await topFrame(dc, tid);
      assert.equal(f.source?.path, INIT_C, `step ${i + 1}: ${f.name} at ${f.instructionPointerReference}`);
      assert.ok(Number.parseInt(f.instructionPointerReference ?? '', 16) < 0xc000_0000);
      lines.push(f.line);
    }
    assert.ok(lines.includes(sleep), `the line of the sleep's system call was reached: ${lines.join(', ')}`);
    const after = await stoppedAfter(dc, () => dc.nextRequest({ threadId: tid }));
    assert.equal(after.body.reason, 'step');
    const back = await topFrame(dc, tid);
    assert.equal(back.source?.path, INIT_C, 'over the system call, back in /init');
    assert.notEqual(back.line, sleep);
  }, true));

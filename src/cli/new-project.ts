// The files of a new guest project: a C program, Lockstep's start code, linker script and header, a Makefile, a failover scenario and a VS Code launch configuration.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface ProjectFile {
  /** Relative to the project folder, `/`-separated. */
  path: string;
  content: string;
}

/** The shared pieces every guest needs, as Lockstep ships them (examples/common). */
export interface CommonSources {
  startS: string;
  linkLd: string;
  lockstepH: string;
}

/** Where Lockstep's examples/common is, from a bundle in dist/ or a source file in src/cli/. */
export function findCommonDir(from: string = __dirname): string | undefined {
  return [join(from, '..', 'examples', 'common'), join(from, '..', '..', 'examples', 'common')].find((d) => existsSync(join(d, 'start.S')));
}

export function readCommon(dir: string): CommonSources {
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  return { startS: read('start.S'), linkLd: read('link.ld'), lockstepH: read('lockstep.h') };
}

/** A C identifier-like program name from a folder name (`my-guest` → `my_guest`); `guest` when nothing is left. */
export function programName(folder: string): string {
  const n = folder.replace(/[^A-Za-z0-9_]/g, '_').replace(/^_+|_+$/g, '');
  return n === '' ? 'guest' : /^\d/.test(n) ? `g_${n}` : n;
}

/** Every file of a new project whose program is `name` (name.c → name.elf). */
export function guestProject(name: string, common: CommonSources): ProjectFile[] {
  return [
    { path: `${name}.c`, content: mainC(name) },
    { path: 'lockstep/start.S', content: common.startS },
    { path: 'lockstep/link.ld', content: common.linkLd },
    { path: 'lockstep/lockstep.h', content: common.lockstepH },
    { path: 'Makefile', content: makefile(name) },
    { path: 'scenario.json', content: `${JSON.stringify(scenario(name), null, 2)}\n` },
    { path: '.vscode/launch.json', content: `${JSON.stringify(launch(name), null, 2)}\n` },
    { path: 'README.md', content: readme(name) },
    { path: '.gitignore', content: `${name}.elf\nobj/\n*.lsrec\n` },
  ];
}

/**
 * Writes the project into `dir`, which must not exist or be empty. Throws an Error whose message is one line;
 * nothing is left behind on failure (a folder it created is removed again).
 */
export function writeProject(dir: string, files: readonly ProjectFile[]): void {
  const root = resolve(dir);
  const existed = existsSync(root);
  if (existed && !statSync(root).isDirectory()) throw new Error(`${dir} exists and is not a folder`);
  if (existed && readdirSync(root).length > 0) throw new Error(`${dir} is not empty: choose a new or empty folder`);
  const written: string[] = [];
  try {
    mkdirSync(root, { recursive: true });
    for (const f of files) {
      const path = join(root, ...f.path.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content, { flag: 'wx' });
      written.push(path);
    }
  } catch (e) {
    if (existed) for (const p of written) rmSync(p, { force: true });
    if (existed) for (const sub of ['lockstep', '.vscode']) rmSync(join(root, sub), { recursive: true, force: true });
    else rmSync(root, { recursive: true, force: true });
    throw new Error(`cannot write the project into ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function mainC(name: string): string {
  return `/* ${name}: a Lockstep guest. A timer interrupt every millisecond (a nondeterministic input the primary logs
   and the secondary replays at the same instruction), a report every 10 ticks over the UART (output the Output
   Rule holds until the secondary has the log up to it), and a clean exit after 200 ticks. */
#include "lockstep.h"

#define TICK_PERIOD (TIMER_HZ / 1000u) /* 1 ms */
#define TICKS 200u

static volatile uint32_t ticks;
static volatile uint32_t checksum; /* mixes every tick's time: a secondary that replayed it wrongly would differ */
static uint64_t nextTick;

static void timer_interrupt(void) {
  uint64_t now = clint_mtime();
  checksum = (checksum ^ (uint32_t)now) * 16777619u;
  ticks = ticks + 1;
  nextTick += TICK_PERIOD;
  if (nextTick <= now) nextTick = now + TICK_PERIOD;
  clint_set_mtimecmp(nextTick);
}

/* Called by start.S for every trap; returns where to resume. */
uint32_t trap_handler(uint32_t mcause, uint32_t mepc, uint32_t mtval) {
  (void)mtval;
  if ((mcause & MCAUSE_INTERRUPT) == 0) test_exit(0x80 | (mcause & 0x3f)); /* an exception is a bug: stop */
  if ((mcause & 0x3f) == IRQ_M_TIMER) timer_interrupt();
  return mepc;
}

int main(void) {
  uart_puts("${name}: ticking every 1 ms\\n");
  nextTick = clint_mtime() + TICK_PERIOD;
  clint_set_mtimecmp(nextTick);
  csr_set(mie, MIE_MTIE);
  csr_set(mstatus, MSTATUS_MIE);
  uint32_t reported = 0;
  while (ticks < TICKS) {
    wfi(); /* sleep until the next interrupt: polling mtime instead would log every read */
    uint32_t t = ticks;
    if (t / 10u == reported / 10u + 1u) {
      reported = t;
      uart_puts("tick ");
      uart_putu(t);
      uart_puts(" sum=");
      uart_puthex(checksum);
      uart_putc('\\n');
    }
  }
  uart_puts("${name}: done\\n");
  return 0; /* start.S powers off with this exit code */
}
`;
}

function makefile(name: string): string {
  return `# Builds ${name}.elf for Lockstep: RV32IMAC bare metal, debug info on.
#   make                      with Debian's riscv64-unknown-elf-gcc (apt-get install gcc-riscv64-unknown-elf)
#   make TOOLCHAIN=clang      with clang and ld.lld instead (apt-get install clang lld)
#   make CFLAGS='-O0 -g'      another optimization level (-Og keeps variables visible and code realistic)
TOOLCHAIN ?= gcc
CFLAGS    ?= -Og -g

ifeq ($(TOOLCHAIN),clang)
CC     = clang
ARCH   = --target=riscv32-unknown-elf -march=rv32imac -mabi=ilp32 -mno-relax
LINK   = -fuse-ld=lld
LIBS   =
else
CC     = riscv64-unknown-elf-gcc
# -misa-spec=2.2 keeps the CSR instructions (csrr, csrw) in the base ISA and picks the right libgcc;
# a newer spec needs -march=rv32imac_zicsr instead.
ARCH   = -march=rv32imac -mabi=ilp32 -misa-spec=2.2
LINK   = -Wl,--no-warn-rwx-segments
LIBS   = -lgcc
endif

# -ffreestanding: stdint.h and friends without a C library; -nostdlib: start.S is the entry, not crt0.
FLAGS  = $(ARCH) -ffreestanding -fno-builtin -nostdlib -mcmodel=medany -Wall -Wextra -Ilockstep -T lockstep/link.ld $(LINK)

all: ${name}.elf

# start.S on its own, unrelaxed: its debug info then covers exactly its own code.
obj/start.o: lockstep/start.S
\tmkdir -p obj
\t$(CC) $(ARCH) -mno-relax -g -c -o $@ $<

${name}.elf: ${name}.c obj/start.o lockstep/lockstep.h lockstep/link.ld
\t$(CC) $(FLAGS) $(CFLAGS) -o $@ obj/start.o ${name}.c $(LIBS)

clean:
\trm -rf ${name}.elf obj

.PHONY: all clean
`;
}

function scenario(name: string): object {
  return {
    program: `${name}.elf`,
    seed: 1,
    untilMs: 400,
    hosts: [{ name: 'host-a', mips: 100 }, { name: 'host-b', mips: 100 }, { name: 'host-c', mips: 100 }],
    placement: { primary: 'host-a', secondary: 'host-b' },
    workload: { clients: 0 },
    faults: [{ atMs: 100, kind: 'hostCrash', host: '@primary' }],
  };
}

/** F5: the scenario's pair and fault, the program from the workspace (a launch configuration holds its scenario inline). */
function launch(name: string): object {
  const { program: _program, ...rest } = scenario(name) as Record<string, unknown>;
  return {
    version: '0.2.0',
    configurations: [
      { type: 'lockstep', request: 'launch', name: `Debug ${name} (failover at 100 ms)`, program: `\${workspaceFolder}/${name}.elf`, stopOnEntry: true, ...rest },
    ],
  };
}

function readme(name: string): string {
  return `# ${name}: a guest for Lockstep

A bare-metal RV32 C program that Lockstep runs as a fault-tolerant pair: a primary VM and a secondary VM that
replays the primary's log, with a host crash at 100 ms (\`scenario.json\`) so the secondary goes live.

    make                          # ${name}.elf (GCC; \`make TOOLCHAIN=clang\` for clang and ld.lld)
    lockstep run scenario.json    # the protected run: output, failover, summary
    lockstep exec ${name}.elf     # one VM, no fault tolerance

In VS Code: open this folder, \`make\`, then F5 (\`.vscode/launch.json\`): break in \`${name}.c\`, step back,
compare primary and secondary, crash a host.

- \`${name}.c\` — your program: \`main\` runs after \`lockstep/start.S\` has set up the stack and zeroed \`.bss\`;
  \`trap_handler\` gets every interrupt and exception. Returning from \`main\` powers off with its value as
  the exit code.
- \`lockstep/lockstep.h\` — the devices (UART, CLINT timer, PLIC, NIC, disk, entropy) and CSR macros.
- \`lockstep/link.ld\` — everything in RAM at 0x80000000, the stack at its top.
- Sleep with \`wfi\` rather than polling \`clint_mtime()\`: every read of the time is an input the primary
  must log for the secondary.
`;
}

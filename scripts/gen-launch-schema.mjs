// The `lockstep` debugger's launch attributes (package.json contributes.debuggers[0].configurationAttributes.launch),
// derived from src/ft/scenario.schema.json plus the adapter's own keys. `node scripts/gen-launch-schema.mjs --write`
// updates package.json; without --write it prints the attributes. test/extension/package.test.ts checks they agree.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Adapter keys (src/debug/launch.ts) that are not part of a scenario. */
const ADAPTER_PROPERTIES = {
  stopOnEntry: { type: 'boolean', default: true, description: 'Stop at the first instruction of the primary.' },
  breakOn: {
    type: 'string', enum: ['primary', 'both', 'secondary'], default: 'primary',
    enumDescriptions: [
      'Breakpoints stop the primary VM: one stop per guest execution.',
      'Breakpoints stop the primary, then the secondary where it replays the same instruction.',
      'Breakpoints stop the secondary VM as it replays the log (not the primary).',
    ],
    description: 'Which VM a breakpoint, data breakpoint or guest trap stops. A source or instruction breakpoint can choose for itself (its mode).',
  },
  showVms: {
    type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true,
    description: 'A cluster of several VMs (`vms`): the VMs whose primaries and secondaries are threads, the first named focused. They may run different programs: each thread is debugged with its own program\'s symbols. Default: the fault-tolerant VMs.',
  },
  symbolFile: {
    type: 'string',
    description: "An ELF whose symbols, line table and DWARF describe the program's code, as GDB's symbol-file: a Linux guest's vmlinux (linked at the kernel's virtual addresses) behind the firmware that boots it. Relative to the workspace folder.",
  },
  userSymbolFiles: {
    type: 'object', additionalProperties: { type: 'string' },
    description: "With symbolFile (a Linux kernel's vmlinux): user-space programs' ELFs by process name (the kernel's task name, as `ps` shows it), e.g. {\"init\": \"init.elf\"}. While the hart runs that process in user mode, its symbols, lines and DWARF describe the code: breakpoints in its source stop only in that process, and the kernel's call stack in a system call goes on into it. Relative to the workspace folder.",
  },
  cwd: { type: 'string', default: '${workspaceFolder}', description: 'Folder a relative `program` (or `replay`) path resolves against.' },
  replay: { type: 'string', description: 'Open a recording (.lsrec) instead of a scenario: its scenario, program bytes and injected faults. No scenario keys are allowed with it.' },
  trace: { type: 'boolean', default: false, description: 'Echo the Debug Adapter Protocol traffic to the Debug Console.' },
};

/** Inlines `#/definitions/…` references (VS Code embeds these attributes inside its own launch.json schema). */
function inline(node, defs) {
  if (Array.isArray(node)) return node.map((n) => inline(n, defs));
  if (node === null || typeof node !== 'object') return node;
  let out = {};
  if (typeof node.$ref === 'string') {
    const m = /^#\/definitions\/(.+)$/.exec(node.$ref);
    if (!m || !(m[1] in defs)) throw new Error(`unsupported $ref ${node.$ref}`);
    out = inline(defs[m[1]], defs);
  }
  for (const [k, v] of Object.entries(node)) if (k !== '$ref') out[k] = inline(v, defs);
  return out;
}

export function launchAttributes(schema) {
  const defs = schema.definitions ?? {};
  const properties = { ...inline(schema.properties, defs), ...ADAPTER_PROPERTIES };
  // No `required` (a replay has no `program`) and no additionalProperties (VS Code adds its own keys): launch.ts
  // reports a missing program or an unknown key by name.
  return { type: 'object', properties };
}

export function generate() {
  const schema = JSON.parse(readFileSync(join(root, 'src/ft/scenario.schema.json'), 'utf8'));
  return launchAttributes(schema);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const attrs = generate();
  if (process.argv.includes('--write')) {
    const path = join(root, 'package.json');
    const pkg = JSON.parse(readFileSync(path, 'utf8'));
    pkg.contributes.debuggers[0].configurationAttributes = { launch: attrs };
    writeFileSync(path, JSON.stringify(pkg, null, 2) + '\n');
    console.log('package.json: launch attributes updated');
  } else {
    console.log(JSON.stringify(attrs, null, 2));
  }
}

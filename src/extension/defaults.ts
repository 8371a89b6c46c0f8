// Pure launch-configuration logic of the extension (no `vscode` import, unit-tested): F5 defaults and initial configurations.

/** A launch configuration as VS Code hands it over (DAP keys plus the scenario). */
export type LaunchConfig = Record<string, unknown> & { type?: string; request?: string; name?: string };

/** What the configuration provider knows about the editor when resolving. */
export interface EditorContext {
  /** File system path of the active editor's document, if any. */
  activeFile?: string;
  /** Language id of that document. */
  languageId?: string;
  /** First bytes of that file (an ELF starts with 0x7f 'E' 'L' 'F'). */
  head?: Uint8Array;
  /** Path of the workspace folder the configuration belongs to. */
  folder?: string;
}

/** True when the file looks like a guest program this debugger runs: assembly or an ELF. */
export function isGuestProgram(ctx: EditorContext): boolean {
  if (ctx.activeFile === undefined) return false;
  if (ctx.languageId === 'lockstep-asm' || ctx.languageId === 'riscv' || /\.(s|S|asm)$/.test(ctx.activeFile)) return true;
  if (/\.elf$/i.test(ctx.activeFile)) return true;
  const h = ctx.head;
  return h !== undefined && h.length >= 4 && h[0] === 0x7f && h[1] === 0x45 && h[2] === 0x4c && h[3] === 0x46;
}

function dirOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i > 0 ? path.slice(0, i) : i === 0 ? path.slice(0, 1) : '.';
}

function baseOf(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

export type Resolution = { config: LaunchConfig } | { error: string };

/**
 * Fills the defaults of a `lockstep` launch: an empty configuration (F5 with no launch.json) becomes "debug the
 * active file, stop on entry"; a configuration without `program`, `replay` or `vms` (a cluster, each VM naming its
 * program) takes the active file; `cwd` defaults
 * to the workspace folder, else the program's folder; `stopOnEntry` to true.
 */
export function resolveLaunch(config: LaunchConfig, ctx: EditorContext): Resolution {
  const out: LaunchConfig = { ...config };
  const empty = !out.type && !out.request && !out.name;
  if (empty) {
    if (!isGuestProgram(ctx)) return { error: 'Open a RISC-V assembly file (.s) or an ELF executable to debug it with Lockstep, or add a launch configuration.' };
    out.type = 'lockstep';
    out.request = 'launch';
    out.name = `Lockstep: ${baseOf(ctx.activeFile!)}`;
  }
  if (out.request === undefined) out.request = 'launch';
  if (out.program === undefined && out.replay === undefined && out.vms === undefined) {
    if (!isGuestProgram(ctx)) return { error: 'This Lockstep launch configuration has no "program" (or "replay"), and the active editor is not an assembly file or ELF.' };
    out.program = ctx.activeFile;
  }
  if (out.stopOnEntry === undefined) out.stopOnEntry = true;
  if (out.cwd === undefined) {
    if (ctx.folder !== undefined) out.cwd = ctx.folder;
    else if (typeof out.program === 'string' && /^([A-Za-z]:)?[\\/]/.test(out.program)) out.cwd = dirOf(out.program);
    else if (typeof out.replay === 'string' && /^([A-Za-z]:)?[\\/]/.test(out.replay)) out.cwd = dirOf(out.replay);
  }
  return { config: out };
}

/** The configurations a new launch.json starts with (and that package.json's initialConfigurations repeat). */
export function initialConfigurations(): LaunchConfig[] {
  return [
    { type: 'lockstep', request: 'launch', name: 'Lockstep: debug the active file', program: '${file}', stopOnEntry: true },
  ];
}

/** The launch of `lockstep.debugFile` (the editor's Run menu, the Explorer, F5 on an ELF): that file, stopping on entry. */
export function fileConfiguration(path: string): LaunchConfig {
  return { type: 'lockstep', request: 'launch', name: `Lockstep: ${baseOf(path)}`, program: path, stopOnEntry: true };
}

// Figure 8: the VS Code extension — activation time of dist/extension.js (fresh process per load, stand-in `vscode`) and the .vsix size.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, loadExtension, makeVscode } from '../../test/helpers/vscode-stand-in';
import { extensionFiles, packageVsix } from '../vsix';
import { median, round } from './util';

/** One cold load: `require(dist/extension.js)` then `activate(context)`, each timed with hrtime. */
interface LoadSample { requireMs: number; activateMs: number; languageClientStarted: boolean }

export interface ExtensionReport {
  /** Null when dist/extension.js is not built or a load failed (see notes). */
  activation: { samples: number; medianMs: number; maxMs: number; requireMedianMs: number; activateMedianMs: number; languageClientStarted: boolean } | null;
  /** Null when packaging was skipped or vsce failed (see notes). */
  vsix: { bytes: number; files: number } | null;
  notes: string[];
  /** Findings that fail the bench: activation started the language server, a load threw. */
  problems: string[];
}

/**
 * The child process: plain `node -e` (no tsx hooks on the process), tsx's scoped require only to load this file
 * and the stand-in; the stand-in requires the bundle with a require of its own, so it loads as in VS Code.
 */
const CHILD = "require('tsx/cjs/api').require(process.argv[1], process.argv[1]).childMain()";
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

/** The child: loads the bundle once against the stand-in, activates, deactivates, prints the sample as JSON. */
async function oneLoad(): Promise<LoadSample> {
  const { vscode } = makeVscode({});
  const ctx = context();
  const t0 = process.hrtime.bigint();
  const ext = loadExtension(vscode);
  const requireMs = ms(t0);
  const t1 = process.hrtime.bigint();
  ext.activate(ctx);
  const activateMs = ms(t1);
  const languageClientStarted = ext.languageClientStarted() as boolean;
  await ext.deactivate();
  for (const d of ctx.subscriptions) d.dispose();
  return { requireMs, activateMs, languageClientStarted };
}

function loadInChild(root: string): LoadSample {
  const r = spawnSync(process.execPath, ['-e', CHILD, join(root, 'scripts', 'bench', 'extension.ts')], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`loading dist/extension.js failed (${r.status ?? r.signal}): ${(r.stderr || r.error?.message || '').trim().slice(-500)}`);
  return JSON.parse(r.stdout) as LoadSample;
}

function activation(root: string, loads: number, report: ExtensionReport): void {
  if (!existsSync(join(root, 'dist', 'extension.js'))) {
    report.notes.push('activation: dist/extension.js is not built (npm run build)');
    return;
  }
  let samples: LoadSample[];
  try {
    samples = Array.from({ length: loads }, () => loadInChild(root));
  } catch (e) {
    report.problems.push(`extension: ${(e as Error).message}`);
    return;
  }
  const total = samples.map((s) => s.requireMs + s.activateMs);
  const started = samples.some((s) => s.languageClientStarted);
  if (started) report.problems.push('extension: activate() started the language server without an assembly document open');
  report.activation = {
    samples: samples.length, medianMs: round(median(total), 2), maxMs: round(Math.max(...total), 2),
    requireMedianMs: round(median(samples.map((s) => s.requireMs)), 2), activateMedianMs: round(median(samples.map((s) => s.activateMs)), 2),
    languageClientStarted: started,
  };
}

function vsixSize(root: string, report: ExtensionReport): void {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-bench-vsix-'));
  try {
    const out = join(dir, 'lockstep.vsix');
    packageVsix(root, out);
    report.vsix = { bytes: statSync(out).size, files: extensionFiles(readFileSync(out)).length };
  } catch (e) {
    report.notes.push(`.vsix: ${(e as Error).message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `loads` cold loads in child processes; the .vsix is packaged unless `packageVsixToo` is false (vsce takes ~10 s). */
export function benchExtension(root: string, loads: number, packageVsixToo: boolean): ExtensionReport {
  const report: ExtensionReport = { activation: null, vsix: null, notes: [], problems: [] };
  activation(root, loads, report);
  if (packageVsixToo) vsixSize(root, report);
  else report.notes.push('.vsix: not packaged in --quick mode (vsce package takes ~10 s)');
  return report;
}

/** Entry of the child process: one load, its sample as JSON on stdout. */
export function childMain(): void {
  oneLoad().then(
    (sample) => {
      process.stdout.write(`${JSON.stringify(sample)}\n`);
      process.exit(0); // anything the extension left behind must not keep the sample's process alive
    },
    (e) => {
      process.stderr.write(`${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}

// Packages the extension into a .vsix with the local vsce and lists a .vsix's files (shared by the package test and the bench).

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The vsce entry point in node_modules (a dev dependency), or undefined when it is not installed. */
export function vsceEntry(root: string): string | undefined {
  const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
  return existsSync(vsce) ? vsce : undefined;
}

/** `vsce package` as `npm run package` runs it, into `out`; returns vsce's output, throws with it on failure. */
export function packageVsix(root: string, out: string): string {
  const vsce = vsceEntry(root);
  if (vsce === undefined) throw new Error('@vscode/vsce is not installed');
  const r = spawnSync(process.execPath, [vsce, ...packageScriptArgs(root), '-o', out], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) throw new Error(`vsce package failed (${r.status ?? r.signal ?? r.error?.message}): ${output.trim().slice(-500)}`);
  return output;
}

/** The arguments `npm run package` gives vsce (package.json is the one place they are written). */
function packageScriptArgs(root: string): string[] {
  const script: unknown = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts?.package;
  if (typeof script !== 'string' || !script.startsWith('vsce package')) throw new Error(`package.json's "package" script is not a vsce package command: ${String(script)}`);
  return script.split(/\s+/).slice(1);
}

/** File names in a zip archive, from its central directory. */
export function zipEntries(zip: Buffer): string[] {
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip archive: no end of central directory');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`zip central directory entry ${i} is damaged`);
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    names.push(zip.toString('utf8', at + 46, at + 46 + nameLen));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

/** The files the extension ships (the zip's `extension/` folder), relative to it. */
export function extensionFiles(zip: Buffer): string[] {
  return zipEntries(zip).filter((f) => f.startsWith('extension/')).map((f) => f.slice('extension/'.length));
}

// Go to definition, find references and rename for labels and symbols (numeric local labels resolve like GNU as).
import { Location, Range, ResponseError, LSPErrorCodes, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { Analysis, definitionOf, defsNamed, referencesTo, tokenAt } from './analysis';
import { mnemonics } from './data/instructions';
import { registerDoc } from './data/registers';
import { Def } from './scan';

const range = (s: { line: number; col: number; end: number }): Range =>
  ({ start: { line: s.line - 1, character: s.col }, end: { line: s.line - 1, character: s.end } });

function defAt(a: Analysis, line0: number, character: number): Def | undefined {
  const p = tokenAt(a, line0, character);
  return p && (p.role !== 'head' || a.defs.some((d) => d.line === p.tok.line && d.col === p.tok.col)) ? definitionOf(a, p) : undefined;
}

export function definition(a: Analysis, uri: string, line0: number, character: number): Location[] {
  const d = defAt(a, line0, character);
  if (!d) return [];
  const all = d.kind === 'local' ? [d] : defsNamed(a, d.name);
  return all.map((x) => Location.create(uri, range(x)));
}

export function references(a: Analysis, uri: string, line0: number, character: number, withDecl: boolean): Location[] {
  const d = defAt(a, line0, character);
  if (!d) return [];
  const decls = withDecl ? (d.kind === 'local' ? [d] : defsNamed(a, d.name)) : [];
  return [...decls, ...referencesTo(a, d)].map((x) => Location.create(uri, range(x)));
}

const VALID_NAME = /^[A-Za-z_.$][A-Za-z0-9_.$]*$/;

function renameTarget(a: Analysis, line0: number, character: number): Def {
  const d = defAt(a, line0, character);
  if (!d) throw new ResponseError(LSPErrorCodes.RequestFailed, 'Only labels and symbols can be renamed.');
  if (d.kind === 'local') throw new ResponseError(LSPErrorCodes.RequestFailed, 'Numeric local labels cannot be renamed.');
  return d;
}

/** prepareRename: the range of the symbol under the cursor, or an error explaining why it cannot be renamed. */
export function prepareRename(a: Analysis, line0: number, character: number): { range: Range; placeholder: string } {
  const d = renameTarget(a, line0, character);
  const p = tokenAt(a, line0, character)!;
  return { range: range(p.tok), placeholder: d.name };
}

function checkNewName(a: Analysis, d: Def, newName: string): void {
  const fail = (why: string): never => { throw new ResponseError(LSPErrorCodes.RequestFailed, why); };
  if (!VALID_NAME.test(newName)) fail(`\`${newName}' is not a valid symbol name.`);
  if (registerDoc(newName)) fail(`\`${newName}' is a register name.`);
  if (mnemonics().includes(newName.toLowerCase())) fail(`\`${newName}' is an instruction mnemonic.`);
  if (newName !== d.name && a.defs.some((x) => x.name === newName)) fail(`\`${newName}' is already defined.`);
}

export function rename(a: Analysis, uri: string, line0: number, character: number, newName: string): WorkspaceEdit {
  const d = renameTarget(a, line0, character);
  checkNewName(a, d, newName);
  const edits = [...defsNamed(a, d.name), ...referencesTo(a, d)].map((x) => TextEdit.replace(range(x), newName));
  return { changes: { [uri]: edits } };
}

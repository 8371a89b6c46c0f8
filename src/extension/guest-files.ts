// Guest files in the editor: plain-text RISC-V .s documents become `lockstep-asm` (so F5 finds Lockstep), and `lockstep.debugFile` debugs a .s or ELF.
import * as vscode from 'vscode';
import { activeFileUri } from './configuration';
import { fileConfiguration } from './defaults';
import { claimsDocument } from './guest-sniff';

/** Setting that turns the claim off. */
const CLAIM_SETTING = 'claimRiscvAssembly';

/** Sets the language of plain-text RISC-V assembly documents to `lockstep-asm`, once per document (a user's change back stays). */
function claimer(): (doc: vscode.TextDocument) => void {
  const seen = new Set<string>();
  return (doc) => {
    const key = doc.uri.toString();
    if (seen.has(key) || (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled')) return;
    if (doc.languageId !== 'plaintext' || !vscode.workspace.getConfiguration('lockstep').get<boolean>(CLAIM_SETTING, true)) return;
    seen.add(key);
    if (claimsDocument({ languageId: doc.languageId, fileName: doc.fileName, text: doc.getText() })) {
      void vscode.languages.setTextDocumentLanguage(doc, 'lockstep-asm');
    }
  };
}

/** Debugs `uri` (from a menu) or the active editor's file with Lockstep, stopping on entry. */
async function debugFile(uri?: vscode.Uri): Promise<boolean> {
  // A menu passes the file's URI; the palette and the F5 key binding pass nothing (or something else).
  const target = (uri as { scheme?: unknown } | undefined)?.scheme === 'file' ? uri : activeFileUri();
  if (target === undefined) {
    void vscode.window.showWarningMessage('Lockstep: open a RISC-V assembly file (.s) or an ELF executable to debug it.');
    return false;
  }
  return vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(target), fileConfiguration(target.fsPath) as vscode.DebugConfiguration);
}

export function registerGuestFiles(context: vscode.ExtensionContext): void {
  const claim = claimer();
  for (const doc of vscode.workspace.textDocuments) claim(doc);
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument(claim),
    vscode.commands.registerCommand('lockstep.debugFile', debugFile),
  );
}

// Lockstep: Show Memory — a read-only hex dump of guest RAM at a variable's memory reference (a pointer's target), read through DAP readMemory; needs no other extension.

import * as vscode from 'vscode';
import { hexDump } from './hex-dump';

export const MEMORY_SCHEME = 'lockstep-memory';
/** Bytes shown per view (16 per line). */
const VIEW_BYTES = 512;

/** What VS Code passes to a `debug/variables/context` command. */
interface VariableContext { sessionId?: string; variable?: { name?: string; memoryReference?: string } }

export function registerMemoryView(context: vscode.ExtensionContext): void {
  const provider = new MemoryDocuments();
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(MEMORY_SCHEME, provider),
    vscode.commands.registerCommand('lockstep.showMemory', (ctx?: VariableContext) => showMemory(ctx)),
  );
}

async function showMemory(ctx: VariableContext | undefined): Promise<void> {
  const ref = ctx?.variable?.memoryReference;
  const session = vscode.debug.activeDebugSession;
  if (ref === undefined || session === undefined || session.type !== 'lockstep') {
    void vscode.window.showWarningMessage('Lockstep: Show Memory needs a variable with an address in a Lockstep session (right-click it in Variables)');
    return;
  }
  const name = (ctx?.variable?.name ?? 'memory').replace(/[^\w.@[\]*-]/g, '_');
  const uri = vscode.Uri.from({ scheme: MEMORY_SCHEME, path: `/${name} @ ${ref}.hex`, query: `session=${encodeURIComponent(session.id)}&ref=${encodeURIComponent(ref)}` });
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: true });
}

class MemoryDocuments implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const q = new URLSearchParams(uri.query);
    const ref = q.get('ref') ?? '';
    const session = vscode.debug.activeDebugSession;
    if (session === undefined || session.id !== q.get('session')) return `${ref}: the debug session that showed it has ended`;
    try {
      const body = await session.customRequest('readMemory', { memoryReference: ref, offset: 0, count: VIEW_BYTES }) as { address?: string; data?: string; unreadableBytes?: number };
      return hexDump(Number(body.address ?? ref), Buffer.from(body.data ?? '', 'base64'), body.unreadableBytes ?? 0);
    } catch (e) {
      return `${ref}: ${(e as Error).message}`;
    }
  }
}

// Language server entry for guest assembly (`lockstep-asm`) over stdio or node IPC: wires requests to the analysis.
import {
  CompletionParams, createConnection, DefinitionParams, DocumentSymbolParams, HoverParams, PrepareRenameParams, ProposedFeatures,
  ReferenceParams, RenameParams, ResponseError, TextDocuments, TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyse, Analysis } from './analysis';
import { complete } from './completion';
import { diagnostics } from './diagnostics';
import { hover } from './hover';
import { definition, prepareRename, references, rename } from './navigation';
import { outline } from './outline';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const cache = new Map<string, { doc: TextDocument; version: number; analysis: Analysis }>();

/** The path diagnostics name (the assembler's fileName). */
function fileNameOf(uri: string): string {
  try {
    return decodeURIComponent(uri.replace(/^file:\/\//, ''));
  } catch {
    return uri;
  }
}

function analysisOf(uri: string): Analysis | undefined {
  const doc = documents.get(uri);
  if (!doc) return undefined;
  const hit = cache.get(uri);
  if (hit && hit.doc === doc && hit.version === doc.version) return hit.analysis;
  const analysis = analyse(doc.getText(), fileNameOf(uri));
  cache.set(uri, { doc, version: doc.version, analysis });
  return analysis;
}

/** Runs a handler on the document's analysis; internal failures are logged and answered with `fallback`. */
function guarded<P extends { textDocument: { uri: string } }, R>(fallback: R, fn: (a: Analysis, p: P) => R): (p: P) => R {
  return (params) => {
    try {
      const a = analysisOf(params.textDocument.uri);
      return a ? fn(a, params) : fallback;
    } catch (e) {
      if (e instanceof ResponseError) throw e;
      connection.console.error(`lockstep-asm: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      return fallback;
    }
  };
}

connection.onInitialize(() => ({
  capabilities: {
    textDocumentSync: TextDocumentSyncKind.Incremental,
    hoverProvider: true,
    completionProvider: { triggerCharacters: ['.'] },
    definitionProvider: true,
    referencesProvider: true,
    documentSymbolProvider: true,
    renameProvider: { prepareProvider: true },
  },
  serverInfo: { name: 'lockstep-asm', version: '0.1.0' },
}));

documents.onDidChangeContent((e) => {
  try {
    const a = analysisOf(e.document.uri);
    if (a) void connection.sendDiagnostics({ uri: e.document.uri, version: e.document.version, diagnostics: diagnostics(a) });
  } catch (err) {
    connection.console.error(`lockstep-asm: ${String(err)}`);
  }
});
documents.onDidClose((e) => {
  cache.delete(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

connection.onHover(guarded(null, (a, p: HoverParams) => hover(a, p.position.line, p.position.character)));
connection.onCompletion(guarded([], (a, p: CompletionParams) => complete(a, p.position)));
connection.onDefinition(guarded([], (a, p: DefinitionParams) => definition(a, p.textDocument.uri, p.position.line, p.position.character)));
connection.onReferences(guarded([], (a, p: ReferenceParams) => references(a, p.textDocument.uri, p.position.line, p.position.character, p.context.includeDeclaration)));
connection.onDocumentSymbol(guarded([], (a, _p: DocumentSymbolParams) => outline(a)));
connection.onPrepareRename(guarded(null, (a, p: PrepareRenameParams) => prepareRename(a, p.position.line, p.position.character)));
connection.onRenameRequest(guarded(null, (a, p: RenameParams) => rename(a, p.textDocument.uri, p.position.line, p.position.character, p.newName)));

process.on('uncaughtException', (e) => connection.console.error(`lockstep-asm: uncaught ${String(e)}`));
documents.listen(connection);
connection.listen();

// Test client: starts the real language server (tsx, stdio) as a child process and talks LSP to it.
import { ChildProcess, fork, spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  createProtocolConnection, InitializeRequest, ProtocolConnection, PublishDiagnosticsNotification, PublishDiagnosticsParams,
  StreamMessageReader, StreamMessageWriter, IPCMessageReader, IPCMessageWriter, DidOpenTextDocumentNotification, DidChangeTextDocumentNotification, LogMessageNotification,
} from 'vscode-languageserver-protocol/node';

const ROOT = join(__dirname, '..', '..');

export class LspClient {
  readonly conn: ProtocolConnection;
  private readonly child: ChildProcess;
  private waiters = new Map<string, (p: PublishDiagnosticsParams) => void>();
  readonly latest = new Map<string, PublishDiagnosticsParams>();
  exited = false;
  /** window/logMessage texts (the server logs internal failures it survived). */
  readonly logs: string[] = [];
  stderr = '';

  /** transport 'stdio' (the default) or 'ipc' (what VS Code's client uses with TransportKind.ipc). */
  constructor(transport: 'stdio' | 'ipc' = 'stdio') {
    if (transport === 'ipc') {
      this.child = fork('src/lsp/server.ts', ['--node-ipc'], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['pipe', 'pipe', 'pipe', 'ipc'] });
      this.conn = createProtocolConnection(new IPCMessageReader(this.child), new IPCMessageWriter(this.child));
    } else {
      this.child = spawn(process.execPath, ['--import', 'tsx', 'src/lsp/server.ts', '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
      this.conn = createProtocolConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    }
    this.child.stderr!.on('data', (d) => { this.stderr += String(d); });
    this.child.on('exit', () => { this.exited = true; });
    this.conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.latest.set(p.uri, p);
      this.waiters.get(p.uri)?.(p);
      this.waiters.delete(p.uri);
    });
    this.conn.onNotification(LogMessageNotification.type, (p) => { this.logs.push(p.message); });
    this.conn.listen();
  }

  async initialize(): Promise<unknown> {
    const r = await this.conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {} });
    await this.conn.sendNotification('initialized', {});
    return r;
  }

  private nextDiagnostics(uri: string): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve) => this.waiters.set(uri, resolve));
  }

  /** Opens a document and resolves with the diagnostics the server publishes for it. */
  async open(uri: string, text: string): Promise<PublishDiagnosticsParams> {
    const got = this.nextDiagnostics(uri);
    await this.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'lockstep-asm', version: 1, text } });
    return got;
  }

  /** Replaces the whole text (version must grow) and resolves with the new diagnostics. */
  async change(uri: string, version: number, text: string): Promise<PublishDiagnosticsParams> {
    const got = this.nextDiagnostics(uri);
    await this.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
    return got;
  }

  async stop(): Promise<void> {
    try {
      await this.conn.sendRequest('shutdown');
      await this.conn.sendNotification('exit');
    } catch { /* already gone */ }
    this.conn.dispose();
    if (!this.exited) this.child.kill();
  }
}

/** 0-based position of the n-th (0-based) occurrence of `needle` in `text`, plus `delta` characters. */
export function posOf(text: string, needle: string, nth = 0, delta = 0): { line: number; character: number } {
  let i = -1;
  for (let k = 0; k <= nth; k++) { i = text.indexOf(needle, i + 1); if (i < 0) throw new Error(`${needle} #${nth} not found`); }
  const before = text.slice(0, i + delta);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}

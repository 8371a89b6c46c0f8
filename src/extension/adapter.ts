// How VS Code reaches the debug adapter: inline (default), a child process, or a TCP server inside the extension host.
import * as vscode from 'vscode';
import { createServer, Server } from 'node:net';
import type { LockstepSession } from '../debug/main';

/**
 * A new inline debug session, from dist/adapter.js (the process mode's bundle, which exports LockstepSession and
 * starts nothing when required). Loaded at the first session, not at activation, and not bundled into extension.js:
 * the simulator would more than double the code VS Code parses when it activates the extension.
 */
function newSession(context: vscode.ExtensionContext): LockstepSession {
  const { LockstepSession: Session } = require(adapterBundle(context)) as typeof import('../debug/main');
  return new Session();
}

const adapterBundle = (context: vscode.ExtensionContext): string => vscode.Uri.joinPath(context.extensionUri, 'dist', 'adapter.js').fsPath;

export type AdapterMode = 'inline' | 'process' | 'server';

export function adapterMode(): AdapterMode {
  const m = vscode.workspace.getConfiguration('lockstep').get<string>('adapter.mode', 'inline');
  return m === 'process' || m === 'server' ? m : 'inline';
}

export class LockstepAdapterFactory implements vscode.DebugAdapterDescriptorFactory, vscode.Disposable {
  private server: Server | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {}

  async createDebugAdapterDescriptor(): Promise<vscode.DebugAdapterDescriptor> {
    switch (adapterMode()) {
      case 'process': {
        const adapter = adapterBundle(this.context);
        // process.execPath is the editor's own runtime (Electron in desktop VS Code): run it as plain Node.
        return new vscode.DebugAdapterExecutable(process.execPath, [adapter], { env: { ELECTRON_RUN_AS_NODE: '1' } });
      }
      case 'server':
        return new vscode.DebugAdapterServer(await this.serverPort());
      default:
        return new vscode.DebugAdapterInlineImplementation(newSession(this.context));
    }
  }

  /** Starts (once) a loopback DAP server on a free port, one LockstepSession per connection (as `adapter.js --server`). */
  private serverPort(): Promise<number> {
    const port = (): number => {
      const a = this.server!.address();
      return typeof a === 'object' && a !== null ? a.port : 0;
    };
    if (this.server?.listening) return Promise.resolve(port());
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => {
        const session = newSession(this.context);
        session.setRunAsServer(true);
        session.start(socket, socket);
        socket.on('error', () => socket.destroy());
      });
      this.server = server;
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(port()));
    });
  }

  dispose(): void {
    this.server?.close();
    this.server = undefined;
  }
}

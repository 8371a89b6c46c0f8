// Entry of the Lockstep debug adapter: DAP on stdin/stdout, or a TCP server with --server=PORT (inline mode: import LockstepSession).

import { createServer } from 'node:net';
import { LockstepSession } from './session';

export { LockstepSession } from './session';

function main(argv: string[]): void {
  const portArg = argv.find((a) => a.startsWith('--server='));
  if (portArg !== undefined) {
    const port = Number(portArg.slice('--server='.length));
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      process.stderr.write(`lockstep adapter: bad port in ${portArg}\n`);
      process.exit(2);
    }
    const server = createServer((socket) => {
      const session = new LockstepSession();
      session.setRunAsServer(true);
      session.start(socket, socket);
      socket.on('error', () => socket.destroy());
    });
    server.listen(port, '127.0.0.1', () => {
      const addr = server.address();
      process.stderr.write(`lockstep adapter: waiting for debug protocol on port ${typeof addr === 'object' && addr ? addr.port : port}\n`);
    });
    return;
  }
  const session = new LockstepSession();
  process.on('SIGTERM', () => session.shutdown());
  session.start(process.stdin, process.stdout);
}

if (require.main === module) main(process.argv.slice(2));

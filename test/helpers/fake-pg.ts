import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A PostgreSQL look-alike on a loopback port that asks every client for a clear-text password and records it. */
export interface FakePg {
  port: number;
  /** Every password a client sent, in order. */
  passwords: string[];
  /** How many clients connected. */
  connections: number;
  close(): Promise<void>;
}

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const ASK_CLEARTEXT = message('R', Buffer.from([0, 0, 0, 3]));
const AUTH_FAILED = message('E', Buffer.from('SFATAL\0C28P01\0Mpassword authentication failed\0\0', 'latin1'));
const SSL_REQUEST = 80877103;

function serve(socket: Socket, fake: FakePg): void {
  let buf = Buffer.alloc(0);
  let started = false;
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (!started) {
        if (buf.length < 8) return;
        const len = buf.readInt32BE(0);
        if (buf.length < len) return;
        const code = buf.readInt32BE(4);
        buf = buf.subarray(len);
        if (code === SSL_REQUEST) {
          socket.write('N');
          continue;
        }
        started = true;
        socket.write(ASK_CLEARTEXT);
        continue;
      }
      if (buf.length < 5) return;
      const len = buf.readInt32BE(1);
      if (buf.length < len + 1) return;
      const type = String.fromCharCode(buf[0]!);
      const body = buf.subarray(5, len + 1);
      buf = buf.subarray(len + 1);
      if (type === 'p') {
        fake.passwords.push(body.toString('utf8').replace(/\0$/, ''));
        socket.end(AUTH_FAILED);
        return;
      }
    }
  });
}

/** Starts the fake server on 127.0.0.1 (a free port). */
export async function startFakePg(): Promise<FakePg> {
  const sockets = new Set<Socket>();
  const fake: FakePg = { port: 0, passwords: [], connections: 0, close: async () => undefined };
  const server = createServer((socket) => {
    fake.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serve(socket, fake);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.port = (server.address() as AddressInfo).port;
  fake.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return fake;
}

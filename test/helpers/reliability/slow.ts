/** Slow clients (slowloris) and faulty webhook receivers, for the slow-peers tests and the stress run. */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface SlowClient {
  /** Resolves when the server closed the connection, with what it sent. */
  closed: Promise<string>;
  destroy(): void;
}

/**
 * Opens a connection and sends a request head one byte every `intervalMs`, never finishing it
 * (after the head's bytes run out it keeps sending header bytes).
 */
export function dribbleHeaders(url: string, intervalMs: number): Promise<SlowClient> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const head = 'GET /__mock/health HTTP/1.1\r\nHost: x\r\nx-slow: ';
    let i = 0;
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    const socket = net.connect(Number(port), hostname, () => {
      timer = setInterval(() => {
        if (socket.destroyed || !socket.writable) return;
        socket.write(i < head.length ? head[i] : 'a');
        i++;
      }, intervalMs);
      resolve({ closed, destroy: () => socket.destroy() });
    });
    const closed = new Promise<string>((res) => {
      socket.on('data', (c) => (out += c.toString('latin1')));
      socket.on('close', () => {
        if (timer) clearInterval(timer);
        res(out);
      });
    });
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

/** An HTTP server for webhook deliveries whose every request is handled by `handle`. */
export async function faultyReceiver(handle: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const server = http.createServer(handle);
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    openSockets: () => sockets.size,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Answers 200 (or `status`) and then streams body bytes until the connection goes; counts them. */
export function endlessBody(status: number, chunkBytes: number, everyMs: number) {
  const stats = { written: 0, closedAfterMs: [] as number[] };
  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.resume();
    const started = Date.now();
    res.writeHead(status, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(chunkBytes, 120);
    const timer = setInterval(() => {
      if (res.destroyed) return;
      // Write while the socket takes it; stop when it pushes back.
      while (res.write(chunk)) {
        stats.written += chunk.length;
        if (everyMs > 0) break;
      }
    }, everyMs);
    res.on('close', () => {
      clearInterval(timer);
      stats.closedAfterMs.push(Date.now() - started);
    });
  };
  return { handle, stats };
}

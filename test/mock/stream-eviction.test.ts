/**
 * Which live-stream client gives its place to a new one (issue 22, point 4; mock/http/stream.ts):
 * the one stalled longest (bytes wait for it and none leave), else the one that has gone longest
 * without showing that it reads, else the oldest. The ranking is the hub's own bookkeeping, so it
 * is driven here with responses whose queue the test controls; test/mock/live-stream.test.ts does
 * the same over real HTTP with sockets that never read.
 */
import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import { createLogger } from '../../core/log';
import { LIMITS } from '../../mock/domain/limits';
import { LiveFeed } from '../../mock/domain/live';
import { StreamHub } from '../../mock/http/stream';
import { waitFor } from '../helpers/http';

/** A response whose bytes leave at once, or wait (`stalled`) until `drain()`. */
class FakeResponse extends EventEmitter {
  statusCode = 0;
  destroyed = false;
  writableLength = 0;
  stalled = false;
  locals: Record<string, unknown>;
  constructor(readonly n: number) {
    super();
    this.locals = { requestId: `req-${n}` };
  }
  setHeader(): void {}
  flushHeaders(): void {}
  write(chunk: string | Buffer): boolean {
    if (this.stalled) this.writableLength += chunk.length;
    return true;
  }
  drain(): void {
    this.stalled = false;
    this.writableLength = 0;
  }
  end(): void {
    this.destroy();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }
}

const GET = { method: 'GET' } as Request;
const heartbeatMs = 20;
const beats = (n: number) => new Promise((r) => setTimeout(r, heartbeatMs * n));

let hub: StreamHub;
let lines: string[];
let clients: FakeResponse[];
const open = (n: number) => {
  const res = new FakeResponse(n);
  hub.open(GET, res as unknown as Response);
  clients.push(res);
  return res;
};
beforeEach(() => {
  lines = [];
  clients = [];
  const logger = createLogger('info', { write: (s: string) => lines.push(s) }, { write: () => true });
  hub = new StreamHub(new LiveFeed(), logger, { heartbeatMs, stallHeartbeats: 1000 });
  for (let i = 0; i < LIMITS.streamClients.value; i++) open(i);
});
afterEach(() => hub.end());

const open_ = () => clients.filter((c) => !c.destroyed).map((c) => c.n);

it('with every place taken, a new client is admitted and the oldest goes when none has shown anything', async () => {
  const newcomer = open(100);
  expect(newcomer.statusCode).toBe(200);
  expect(newcomer.destroyed).toBe(false);
  expect(clients[0].destroyed).toBe(true);
  expect(open_()).toHaveLength(LIMITS.streamClients.value);
  await new Promise(setImmediate);
  expect(lines.join('')).toMatch(/live stream client disconnected to admit a new one: it was the stalest .*id=req-0/);
});

it('a stalled client goes before older ones that are not; the one stalled longest first', async () => {
  clients[20].stalled = true;
  await beats(3);
  clients[10].stalled = true;
  await waitFor(() => clients[10].writableLength > 0 || undefined, 2000, 'a heartbeat to wait');
  await beats(3);
  open(100);
  expect(clients[20].destroyed).toBe(true);
  expect(clients[0].destroyed).toBe(false);
  open(101);
  expect(clients[10].destroyed).toBe(true);
  open(102);
  expect(clients[0].destroyed).toBe(true);
});

it('a client whose waiting bytes left (it reads) ranks after those that never showed it', async () => {
  clients[0].stalled = true;
  await beats(3);
  clients[0].drain();
  await beats(3);
  open(100);
  expect(clients[0].destroyed).toBe(false);
  expect(clients[1].destroyed).toBe(true);
});

it('bytes that wait and do not move for the bound in heartbeats: disconnected; moving ones are not', async () => {
  hub.end();
  lines = [];
  clients = [];
  const logger = createLogger('info', { write: (s: string) => lines.push(s) }, { write: () => true });
  hub = new StreamHub(new LiveFeed(), logger, { heartbeatMs, stallHeartbeats: 3 });
  const stuck = open(0);
  const slow = open(1);
  stuck.stalled = true;
  slow.stalled = true;
  // The slow one drains a little before every heartbeat: its queue moves.
  const timer = setInterval(() => (slow.writableLength = Math.max(0, slow.writableLength - 20)), heartbeatMs / 4);
  try {
    await waitFor(() => stuck.destroyed || undefined, 3000, 'the stuck client to be dropped');
    await beats(6);
    expect(slow.destroyed).toBe(false);
    expect(lines.join('')).toMatch(/it has not read for 3 heartbeats waiting_bytes=\d+ id=req-0/);
  } finally {
    clearInterval(timer);
  }
});

/**
 * `GET /__mock/stream`: the live feed (mock/domain/live.ts) as Server-Sent Events. One subscription
 * to the feed serves every client: each event is serialised once, queued per client, and written
 * every STREAM_FLUSH_MS in one write per client, so a busy API pays for one JSON.stringify per event
 * whatever the number of dashboards, and the sockets see a few writes a second.
 *
 * Bounded per client: at most LIMITS.streamEventsPerFlush events per flush (the rest become one
 * `gap` event: the client reloads), and a client that does not read is disconnected once
 * LIMITS.streamClientBytes wait for it: nothing is buffered without limit. At most
 * LIMITS.streamClients streams at once.
 */
import type { Request, Response } from 'express';
import type { Logger } from '../../src/core/log';
import { LIMITS, STREAM_FLUSH_MS } from '../domain/limits';
import type { LiveEvents, LiveEventType, LiveFeed, LiveSubscriber } from '../domain/live';

/** A comment line every so often keeps idle connections (and proxies) from timing out. */
const HEARTBEAT_MS = 15_000;

interface Client {
  res: Response;
  queue: string[];
  /** Events left out since the last flush (over the per-flush bound). */
  skipped: number;
}

export class StreamHub implements LiveSubscriber {
  private readonly clients = new Set<Client>();
  private unsubscribe: (() => void) | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private seq = 0;
  private closed = false;
  /** Clients disconnected because they did not read. */
  dropped = 0;

  constructor(
    private readonly live: LiveFeed,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /**
   * Answers the stream's headers and keeps the response open; false when LIMITS.streamClients are
   * open already. While the mock shuts down, the stream ends at once (the client retries later).
   */
  open(req: Request, res: Response): boolean {
    if (this.clients.size >= LIMITS.streamClients.value) return false;
    res.statusCode = 200;
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('x-accel-buffering', 'no');
    if (req.method === 'HEAD' || this.closed || this.live.closed) {
      res.end();
      return true;
    }
    res.flushHeaders();
    // The client reconnects after 2 s if the stream breaks; the comment opens it.
    res.write(`retry: 2000\n: inklink-mock live stream\n\n`);
    const client: Client = { res, queue: [], skipped: 0 };
    this.clients.add(client);
    res.on('close', () => this.remove(client));
    this.unsubscribe ??= this.live.subscribe(this);
    this.heartbeat ??= setInterval(() => this.ping(), HEARTBEAT_MS).unref();
    return true;
  }

  event<T extends LiveEventType>(type: T, data: LiveEvents[T]): void {
    const frame = `id: ${++this.seq}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
    const max = LIMITS.streamEventsPerFlush.value;
    for (const c of this.clients) {
      if (c.queue.length < max) c.queue.push(frame);
      else c.skipped++;
    }
    this.flushTimer ??= setTimeout(this.flush, STREAM_FLUSH_MS).unref();
  }

  /** Ends every stream (the mock shuts down). */
  end(): void {
    this.closed = true;
    this.flush();
    for (const c of [...this.clients]) c.res.end();
    this.stop();
  }

  private readonly flush = (): void => {
    this.flushTimer = undefined;
    for (const c of this.clients) {
      if (c.queue.length === 0 && c.skipped === 0) continue;
      let text = c.queue.join('');
      if (c.skipped > 0) text += `id: ${++this.seq}\nevent: gap\ndata: {"skipped":${c.skipped}}\n\n`;
      c.queue = [];
      c.skipped = 0;
      this.write(c, text);
    }
  };

  private ping(): void {
    for (const c of this.clients) this.write(c, ': ping\n\n');
  }

  /** Writes to a client, and disconnects it when what it has not read goes past the bound. */
  private write(c: Client, text: string): void {
    if (c.res.destroyed) return;
    c.res.write(text);
    const waiting = c.res.writableLength;
    if (waiting > LIMITS.streamClientBytes.value) {
      this.dropped++;
      this.logger.info('live stream client disconnected: it does not read', { waiting_bytes: waiting, id: c.res.locals.requestId });
      c.res.destroy();
      this.remove(c);
    }
  }

  private remove(c: Client): void {
    if (!this.clients.delete(c)) return;
    if (this.clients.size === 0) this.stop();
  }

  /** No client left: the feed goes quiet (publishers stop building events). */
  private stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}

/**
 * `GET /__mock/stream`: the live feed (mock/domain/live.ts) as Server-Sent Events. One subscription
 * to the feed serves every client: each event is serialised once into one batch, and every
 * STREAM_FLUSH_MS the batch is encoded once and the same bytes written to each client, so a busy API
 * pays for one JSON.stringify per event whatever the number of dashboards, and the sockets see a
 * few writes a second.
 *
 * Bounded per client: at most LIMITS.streamEventsPerFlush events and LIMITS.streamBytesPerFlush
 * bytes per flush (once the batch is full the feed pauses, publishers build nothing, and the next
 * flush ends with one `gap` event saying how many were left out: the client reloads); a client that
 * does not read is disconnected when, at a flush, more than LIMITS.streamClientBytes of what earlier
 * flushes sent still wait for it: nothing is buffered without limit (at most that bound plus one
 * flush), and a client that reads is never dropped because one flush was large. At most
 * LIMITS.streamClients streams at once.
 */
import type { Request, Response } from 'express';
import type { Logger } from '../../core/log';
import { LIMITS, STREAM_FLUSH_MS } from '../domain/limits';
import type { LiveEvents, LiveEventType, LiveFeed, LiveSubscriber } from '../domain/live';

/** A comment line every so often keeps idle connections (and proxies) from timing out. */
const HEARTBEAT_MS = 15_000;

export class StreamHub implements LiveSubscriber {
  private readonly clients = new Set<Response>();
  /** The frames of this flush, shared by every client. */
  private batch: string[] = [];
  /** The batch's length in characters: its bytes for ASCII, which this JSON mostly is. */
  private batchChars = 0;
  private unsubscribe: (() => void) | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private seq = 0;
  private closed = false;

  constructor(
    private readonly live: LiveFeed,
    private readonly logger: Logger,
  ) {}

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
    this.clients.add(res);
    res.on('close', () => this.remove(res));
    this.unsubscribe ??= this.live.subscribe(this);
    this.heartbeat ??= setInterval(() => this.ping(), HEARTBEAT_MS).unref();
    return true;
  }

  event<T extends LiveEventType>(type: T, data: LiveEvents[T]): void {
    const frame = `id: ${++this.seq}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
    this.batch.push(frame);
    this.batchChars += frame.length;
    // Full until the next flush: the feed pauses (publishers build nothing) and counts the rest.
    if (this.batch.length >= LIMITS.streamEventsPerFlush.value || this.batchChars >= LIMITS.streamBytesPerFlush.value)
      this.live.pause();
    this.flushTimer ??= setTimeout(this.flush, STREAM_FLUSH_MS).unref();
  }

  /** Ends every stream (the mock shuts down). */
  end(): void {
    this.closed = true;
    this.flush();
    for (const res of [...this.clients]) res.end();
    this.stop();
  }

  private readonly flush = (): void => {
    this.flushTimer = undefined;
    const missed = this.live.resume();
    if (missed > 0) this.batch.push(`id: ${++this.seq}\nevent: gap\ndata: {"skipped":${missed}}\n\n`);
    if (this.batch.length === 0) return;
    const bytes = Buffer.from(this.batch.join(''));
    this.batch = [];
    this.batchChars = 0;
    for (const res of this.clients) this.write(res, bytes);
  };

  private ping(): void {
    for (const res of this.clients) this.write(res, ': ping\n\n');
  }

  /**
   * Writes to a client, unless what earlier writes sent it still waits past the bound: then it does
   * not read, and is disconnected.
   */
  private write(res: Response, chunk: Buffer | string): void {
    if (res.destroyed) return;
    const waiting = res.writableLength;
    if (waiting > LIMITS.streamClientBytes.value) {
      this.logger.info('live stream client disconnected: it does not read', {
        waiting_bytes: waiting,
        id: res.locals.requestId,
      });
      res.destroy();
      this.remove(res);
      return;
    }
    res.write(chunk);
  }

  private remove(res: Response): void {
    if (!this.clients.delete(res)) return;
    if (this.clients.size === 0) this.stop();
  }

  /** No client left: the feed goes quiet (publishers stop building events). */
  private stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.batch = [];
    this.batchChars = 0;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}

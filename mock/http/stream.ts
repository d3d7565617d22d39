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
 * flush), and a client that reads is never dropped because one flush was large.
 *
 * A client that does not read at all is found by the heartbeat (every STREAM_HEARTBEAT_MS): once
 * the kernel's buffers toward it are full, what is written to it waits in the mock; when, at
 * LIMITS.streamStallHeartbeats heartbeats in a row, bytes wait and not one left since the
 * heartbeat before, it is disconnected. At most LIMITS.streamClients streams at once, and a new
 * client is never refused: it takes the place of the stalest client (the one stalled longest, else
 * the one that has gone longest without showing that it reads). Heartbeats are a few bytes, so on
 * a quiet mock a client that never reads looks like one that reads and has nothing to read: both
 * are then ranked by when they last showed it (a queue that shrank), else by when they connected.
 */
import type { Request, Response } from 'express';
import type { Logger } from '../../core/log';
import { LIMITS, STREAM_FLUSH_MS, STREAM_HEARTBEAT_MS } from '../domain/limits';
import type { LiveEvents, LiveEventType, LiveFeed, LiveSubscriber } from '../domain/live';

export interface StreamOptions {
  /** Between heartbeats (default STREAM_HEARTBEAT_MS). */
  heartbeatMs?: number;
  /** Heartbeats a client may be stalled (default LIMITS.streamStallHeartbeats). */
  stallHeartbeats?: number;
}

/** What the hub knows of one client: how much was written to it, and whether any of it leaves. */
interface Client {
  /** Bytes given to res.write (the chunk framing aside). */
  written: number;
  /** `written` minus what waited in the mock, at the last heartbeat: what had left by then. */
  left: number;
  /** What waited in the mock at the last heartbeat. */
  waiting: number;
  /** Heartbeats in a row at which bytes waited and none had left since the one before. */
  stalledBeats: number;
  /** When it last showed that it reads (bytes that waited left), or connected. */
  seenReading: number;
  /** When its current stall began (0: not stalled). */
  stalledSince: number;
}

export class StreamHub implements LiveSubscriber {
  private readonly clients = new Map<Response, Client>();
  /** The frames of this flush, shared by every client. */
  private batch: string[] = [];
  /** The batch's length in characters: its bytes for ASCII, which this JSON mostly is. */
  private batchChars = 0;
  private unsubscribe: (() => void) | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private seq = 0;
  private closed = false;

  private readonly heartbeatMs: number;
  private readonly stallHeartbeats: number;

  constructor(
    private readonly live: LiveFeed,
    private readonly logger: Logger,
    options: StreamOptions = {},
  ) {
    this.heartbeatMs = options.heartbeatMs ?? STREAM_HEARTBEAT_MS;
    this.stallHeartbeats = options.stallHeartbeats ?? LIMITS.streamStallHeartbeats.value;
    if (!(Number.isInteger(this.heartbeatMs) && this.heartbeatMs > 0))
      throw new RangeError('streamHeartbeatMs must be a positive integer (milliseconds)');
    if (!(Number.isInteger(this.stallHeartbeats) && this.stallHeartbeats > 0))
      throw new RangeError('streamStallHeartbeats must be a positive integer');
  }

  /**
   * Answers the stream's headers and keeps the response open. With LIMITS.streamClients open
   * already, the stalest is disconnected first. While the mock shuts down, the stream ends at once
   * (the client retries later).
   */
  open(req: Request, res: Response): void {
    res.statusCode = 200;
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('x-accel-buffering', 'no');
    if (req.method === 'HEAD' || this.closed || this.live.closed) {
      res.end();
      return;
    }
    if (this.clients.size >= LIMITS.streamClients.value) this.evictStalest();
    res.flushHeaders();
    // The client reconnects after 2 s if the stream breaks; the comment opens it.
    const opening = `retry: 2000\n: inklink-mock live stream\n\n`;
    res.write(opening);
    const now = Date.now();
    this.clients.set(res, {
      written: opening.length,
      left: 0,
      waiting: 0,
      stalledBeats: 0,
      seenReading: now,
      stalledSince: 0,
    });
    res.on('close', () => this.remove(res));
    this.unsubscribe ??= this.live.subscribe(this);
    this.heartbeat ??= setInterval(() => this.ping(), this.heartbeatMs).unref();
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
    for (const res of [...this.clients.keys()]) res.end();
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
    for (const [res, client] of this.clients) this.write(res, client, bytes);
  };

  /** The heartbeat: the stall check, then a comment line to every client. */
  private ping(): void {
    const now = Date.now();
    for (const [res, client] of this.clients) {
      const waiting = res.writableLength;
      const left = client.written - waiting;
      const moved = left > client.left;
      if (waiting > 0 && !moved) {
        if (client.stalledBeats++ === 0) client.stalledSince = now;
      } else {
        client.stalledBeats = 0;
        client.stalledSince = 0;
      }
      // Bytes that waited at the last heartbeat have left since: it reads.
      if (moved && client.waiting > 0) client.seenReading = now;
      client.left = left;
      client.waiting = waiting;
      if (client.stalledBeats >= this.stallHeartbeats) {
        this.drop(res, `live stream client disconnected: it has not read for ${client.stalledBeats} heartbeats`, {
          waiting_bytes: waiting,
        });
        continue;
      }
      this.write(res, client, ': ping\n\n');
    }
  }

  /**
   * Makes room for a new client: disconnects the stalest, the one stalled longest, else the one
   * that has gone longest without showing that it reads (or since it connected).
   */
  private evictStalest(): void {
    let stalest: [Response, Client] | undefined;
    const rank = (c: Client) => (c.stalledSince > 0 ? [0, c.stalledSince] : [1, c.seenReading]);
    for (const entry of this.clients) {
      if (!stalest) {
        stalest = entry;
        continue;
      }
      const [a, b] = [rank(entry[1]), rank(stalest[1])];
      if (a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])) stalest = entry;
    }
    if (!stalest) return;
    const [res, client] = stalest;
    this.drop(res, 'live stream client disconnected to admit a new one: it was the stalest', {
      stalled_heartbeats: client.stalledBeats,
      idle_ms: Date.now() - (client.stalledSince || client.seenReading),
    });
  }

  private drop(res: Response, why: string, fields: Record<string, unknown>): void {
    this.logger.info(why, { ...fields, id: res.locals.requestId });
    res.destroy();
    this.remove(res);
  }

  /**
   * Writes to a client, unless what earlier writes sent it still waits past the bound: then it does
   * not read, and is disconnected.
   */
  private write(res: Response, client: Client, chunk: Buffer | string): void {
    if (res.destroyed) return;
    const waiting = res.writableLength;
    if (waiting > LIMITS.streamClientBytes.value) {
      this.drop(res, 'live stream client disconnected: it does not read', { waiting_bytes: waiting });
      return;
    }
    client.written += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
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

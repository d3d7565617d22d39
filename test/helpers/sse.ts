/** A Server-Sent Events client for tests: every event of a stream, parsed, as it arrives. */
import http from 'node:http';

export interface SseEvent {
  type: string;
  data: any;
  raw: string;
}

export interface SseClient {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: SseEvent[];
  /** Everything received, as text (to check what never appears in it). */
  text(): string;
  /** Resolves with the first event (from `from` on) that matches; rejects after the timeout. */
  next(match: (e: SseEvent) => boolean, timeoutMs?: number, from?: number): Promise<SseEvent>;
  ended: Promise<void>;
  close(): void;
}

export function openStream(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/__mock/stream`, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      let text = '';
      let buffer = '';
      const waiters = new Set<() => void>();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = [...block.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join('\n');
          if (type && data) events.push({ type, data: JSON.parse(data), raw: block });
        }
        for (const w of waiters) w();
      });
      const ended = new Promise<void>((done) => res.on('close', () => done()));
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        text: () => text,
        ended,
        close: () => req.destroy(),
        next(match, timeoutMs = 5000, from = 0) {
          return new Promise((ok, fail) => {
            const check = () => {
              const hit = events.slice(from).find(match);
              if (!hit) return false;
              clearTimeout(timer);
              waiters.delete(check);
              ok(hit);
              return true;
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no matching event within ${timeoutMs} ms; got: ${events.map((e) => e.type).join(', ')}`));
            }, timeoutMs);
            if (!check()) waiters.add(check);
          });
        },
      });
    });
    req.on('error', reject);
  });
}

/**
 * What the proxy keeps of the traffic: a report of the exchanges that broke a rule, and a HAR 1.2
 * log (`validate --har` reads it) of every exchange, both redacted (redact.ts). Both are written to
 * their files shortly after each exchange and when the proxy closes, atomically (a temporary file
 * renamed), so a proxy killed mid-run leaves readable files. They are written once at start, so a
 * file that cannot be written stops the proxy before it listens; a write that fails later (a full
 * disk) is reported through `onWriteError`, never thrown from a timer.
 */
import fs from 'node:fs';
import { redactBody, redactHeaders, redactText } from './redact';
import type { Exchange, ExchangeMemory, ProxyViolation } from './rules';

export interface ProxyFinding {
  /** 1-based number of the exchange (its HAR entry). */
  exchange: number;
  method: string;
  path: string;
  status: number;
  operationId?: string;
  requestId?: string;
  violations: ProxyViolation[];
}

export interface ProxyReport {
  upstream: string;
  /** Exchanges checked (the proxy's own answers and control-API calls excluded). */
  exchanges: number;
  /** Violations, over all exchanges. */
  violations: number;
  byRule: Record<string, number>;
  /** The exchanges that broke a rule. */
  findings: ProxyFinding[];
  /** Requests the upstream did not answer (the client got the proxy's 502). */
  upstreamErrors: number;
}

interface HarEntry {
  startedDateTime: string;
  time: number;
  request: Record<string, unknown>;
  response: Record<string, unknown>;
  cache: Record<string, never>;
  timings: { send: number; wait: number; receive: number };
}

export interface Recorded extends Exchange {
  startedAt: Date;
  ms: number;
  url: string;
  operationId?: string;
  violations: ProxyViolation[];
}

const FLUSH_DELAY_MS = 100;

export class Recording {
  private readonly entries: HarEntry[] = [];
  private readonly findings: ProxyFinding[] = [];
  private readonly byRule: Record<string, number> = {};
  private exchanges = 0;
  private violations = 0;
  private upstreamErrors = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly upstream: string,
    private readonly memory: ExchangeMemory,
    private readonly files: { report?: string; har?: string },
    private readonly onWriteError: (e: Error) => void = () => {},
  ) {}

  add(x: Recorded): void {
    const n = ++this.exchanges;
    const path = redactText(x.path, this.memory);
    if (x.violations.length) {
      this.findings.push({
        exchange: n,
        method: x.method,
        path,
        status: x.status,
        ...(x.operationId ? { operationId: x.operationId } : {}),
        ...(x.responseHeaders['x-request-id'] ? { requestId: x.responseHeaders['x-request-id'] } : {}),
        violations: x.violations,
      });
      this.violations += x.violations.length;
      for (const v of x.violations) this.byRule[v.rule] = (this.byRule[v.rule] ?? 0) + 1;
    }
    if (this.files.har) this.entries.push(this.harEntry(x));
    this.schedule();
  }

  upstreamError(): void {
    this.upstreamErrors++;
    this.schedule();
  }

  report(): ProxyReport {
    return {
      upstream: this.upstream,
      exchanges: this.exchanges,
      violations: this.violations,
      byRule: { ...this.byRule },
      findings: [...this.findings],
      upstreamErrors: this.upstreamErrors,
    };
  }

  /** Writes the files now (and cancels a pending write); throws when one cannot be written. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.files.report) writeAtomically(this.files.report, `${JSON.stringify(this.report(), null, 2)}\n`);
    if (this.files.har) writeAtomically(this.files.har, `${JSON.stringify(this.har(), null, 2)}\n`);
  }

  /** `flush`, with a failure reported to `onWriteError`. */
  tryFlush(): void {
    try {
      this.flush();
    } catch (e) {
      this.onWriteError(e as Error);
    }
  }

  private schedule(): void {
    if (this.timer || (!this.files.report && !this.files.har)) return;
    this.timer = setTimeout(() => this.tryFlush(), FLUSH_DELAY_MS);
    this.timer.unref();
  }

  private har() {
    return { log: { version: '1.2', creator: { name: 'inklink-mock proxy', version: '1' }, entries: this.entries } };
  }

  private harEntry(x: Recorded): HarEntry {
    const url = new URL(redactText(x.url, this.memory));
    const reqType = x.requestHeaders['content-type'];
    const resType = x.responseHeaders['content-type'];
    return {
      startedDateTime: x.startedAt.toISOString(),
      time: x.ms,
      request: {
        method: x.method,
        url: url.href,
        httpVersion: 'HTTP/1.1',
        headers: redactHeaders(x.requestHeaders, this.memory),
        queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
        cookies: [],
        headersSize: -1,
        bodySize: x.requestBody === undefined ? 0 : Buffer.byteLength(x.requestBody),
        ...(x.requestBody
          ? { postData: { mimeType: reqType ?? '', text: redactBody(x.requestBody, this.memory) } }
          : {}),
      },
      response: {
        status: x.status,
        statusText: '',
        httpVersion: 'HTTP/1.1',
        headers: redactHeaders(x.responseHeaders, this.memory),
        cookies: [],
        content: {
          size: Buffer.byteLength(x.responseBody),
          mimeType: resType ?? '',
          ...(x.responseBody ? { text: redactBody(x.responseBody, this.memory) } : {}),
        },
        redirectURL: x.responseHeaders.location ?? '',
        headersSize: -1,
        bodySize: Buffer.byteLength(x.responseBody),
      },
      cache: {},
      timings: { send: 0, wait: x.ms, receive: 0 },
    };
  }
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(`cannot write ${file}: ${err.code ?? err.message}`, { cause: e });
  }
}

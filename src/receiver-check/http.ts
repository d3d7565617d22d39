/**
 * The HTTP side of check-receiver: deliveries POSTed to the receiver's URL as InkLink sends them
 * (exactly these headers, no redirect followed, given up after the delivery timeout), and the
 * drill's secret update through a URL or a command.
 */
import { spawn } from 'node:child_process';
import { Agent, request, type Dispatcher } from 'undici';
import type { Answer, Delivery, SecretUpdateOutcome, SecretUpdater, Transport } from './types';

/** How much of an answer's body the report keeps. */
const BODY_LIMIT = 16 * 1024;

/** `'it'\''s'`: one argument for a POSIX shell. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A curl command that sends this delivery again, byte for byte. */
export function curlFor(url: string, d: Delivery): string {
  return [
    `curl -i -X POST ${shellQuote(url)}`,
    ...Object.entries(d.headers).map(([k, v]) => `-H ${shellQuote(`${k}: ${v}`)}`),
    `--data-binary ${shellQuote(d.body)}`,
  ].join(' ');
}

async function readCapped(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < BODY_LIMIT) chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, BODY_LIMIT);
}

function describeError(e: unknown): string {
  const err = e as { code?: string; message?: string; cause?: { code?: string } };
  return err.code ?? err.cause?.code ?? err.message ?? String(e);
}

/** POST with a total time limit; resolves to the status and the start of the body, or why there was none. */
async function post(
  dispatcher: Dispatcher,
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<Answer> {
  const t0 = performance.now();
  const elapsed = () => Math.round((performance.now() - t0) * 10) / 10;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const res = await request(url, {
      method: 'POST',
      headers,
      body,
      dispatcher,
      signal: abort.signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await readCapped(res.body);
    return { status: res.statusCode, body: text, durationMs: elapsed() };
  } catch (e) {
    if (abort.signal.aborted)
      return { error: `timed out after ${timeoutMs} ms`, timedOut: true, durationMs: elapsed() };
    return { error: describeError(e), durationMs: elapsed() };
  } finally {
    clearTimeout(timer);
  }
}

/** Deliveries to `url` over HTTP, each on the wire as InkLink sends it. */
export function httpTransport(url: string): Transport {
  const agent = new Agent({ keepAliveTimeout: 4_000 });
  return {
    target: url,
    deliver: (d, timeoutMs) => post(agent, url, d.headers, d.body, timeoutMs),
    reproduce: (d) => curlFor(url, d),
    close: () => agent.destroy(),
  };
}

/** The drill's update through a URL: `POST {"secret": "whsec_…"}`, done when it answers 2xx. */
export function updateSecretByUrl(url: string): SecretUpdater {
  return async (secret, timeoutMs) => {
    const agent = new Agent();
    try {
      const a = await post(agent, url, { 'content-type': 'application/json' }, JSON.stringify({ secret }), timeoutMs);
      const said = a.status === undefined ? `no answer (${a.error})` : `answered ${a.status}`;
      const ok = a.status !== undefined && a.status >= 200 && a.status < 300;
      return { ok, detail: `POST ${url} ${said}${!ok && a.body ? `: ${a.body.slice(0, 300)}` : ''}` };
    } finally {
      await agent.destroy();
    }
  };
}

/**
 * The drill's update through a command run by `sh -c`, the secret (and a newline) on its stdin;
 * done when it exits 0.
 */
export function updateSecretByCommand(command: string): SecretUpdater {
  return (secret, timeoutMs) =>
    new Promise<SecretUpdateOutcome>((resolve) => {
      const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
      let output = '';
      const keep = (c: Buffer) => {
        if (output.length < BODY_LIMIT) output += c.toString('utf8');
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      // A command that does not read its stdin closes it: not an error of the drill.
      child.stdin.on('error', () => undefined);
      child.stdin.end(`${secret}\n`);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const tail = () => (output.trim() ? `: ${output.trim().slice(-300)}` : '');
      child.on('error', (e) => {
        clearTimeout(timer);
        resolve({ ok: false, detail: `the update command could not start: ${e.message}` });
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve({ ok: true, detail: 'the update command exited 0' });
        else if (signal)
          resolve({ ok: false, detail: `the update command did not exit within ${timeoutMs} ms (killed)${tail()}` });
        else resolve({ ok: false, detail: `the update command exited ${code}${tail()}` });
      });
    });
}

/**
 * What `trigger` and `deliveries` share: the running mock's address (`--mock-url`), its control
 * token (from INKLINK_MOCK_CONTROL_TOKEN only: a flag would show it in `ps` and shell history), and
 * control-API calls whose refusals become one line that says what the mock answered.
 */
import { jsonOrUndefined } from '../../core/json';
import { REFUSALS } from '../../core/refusals';
import { DEFAULTS } from '../../mock/config';
import { CONTROL_TOKEN_ENV, HTTP_URL, type OptionSpec } from './options';

export const MOCK_URL_OPTION: OptionSpec = {
  name: 'mock-url',
  type: 'string',
  env: 'INKLINK_MOCK_URL',
  default: `http://${DEFAULTS.host}:${DEFAULTS.cliPort}`,
  valueName: 'URL',
  value: HTTP_URL,
  description: 'The running mock (`inklink-mock serve`).',
};

/** The mock could not be reached, or refused: the command reports it and exits 1. */
export class MockError extends Error {}

export interface ControlAnswer {
  status: number;
  json: unknown;
}

/** The mock's base URL as given, without credentials (never shown, never sent) or a trailing slash. */
function baseOf(mockUrl: string): string {
  const u = new URL(mockUrl);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

export interface ControlClient {
  /** The mock's address as messages show it. */
  readonly where: string;
  /** One control request; resolves with any answer, rejects (MockError) when the mock is not reached. */
  request(method: string, path: string, body?: unknown): Promise<ControlAnswer>;
  /** A request that must answer `expected`; any other answer is a MockError that says what the mock said. */
  expect(method: string, path: string, expected: number, body?: unknown): Promise<unknown>;
  /** `GET /__mock/stream`: the open response (its body is the event stream). */
  stream(signal: AbortSignal): Promise<Response>;
}

function authorization(env: NodeJS.ProcessEnv): Record<string, string> {
  const token = env[CONTROL_TOKEN_ENV];
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** What the mock's answer says, as the end of a sentence: status, InkLink's code and message, the details. */
export function describeRefusal(status: number, json: unknown): string {
  const error = (
    json as { error?: { code?: string; message?: string; details?: { field: string; message: string }[] } }
  )?.error;
  if (!error) return `answered ${status}`;
  const details = (error.details ?? []).map((d) => (d.field ? `${d.field}: ${d.message}` : d.message));
  return (
    `answered ${status} ${error.code ?? ''}: ${error.message ?? ''}` +
    (details.length ? ` (${details.join('; ')})` : '')
  );
}

export function controlClient(mockUrl: string, env: NodeJS.ProcessEnv = process.env): ControlClient {
  const base = baseOf(mockUrl);
  const headers = authorization(env);
  const unreachable = (e: unknown) => {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return new MockError(
      `cannot reach the mock at ${base}: ${cause?.code ?? cause?.message ?? (e as Error).message} ` +
        '(is "inklink-mock serve" running there? see --mock-url)',
    );
  };
  const client: ControlClient = {
    where: base,
    async request(method, path, body) {
      let res: Response;
      try {
        res = await fetch(base + path, {
          method,
          headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          redirect: 'manual',
        });
      } catch (e) {
        throw unreachable(e);
      }
      const text = await res.text();
      const json = jsonOrUndefined(text);
      return { status: res.status, json };
    },
    async expect(method, path, expected, body) {
      const { status, json } = await client.request(method, path, body);
      if (status === expected) return json;
      const hint =
        status === REFUSALS.control_unauthenticated.status
          ? `; set ${CONTROL_TOKEN_ENV} to the control token the mock was started with`
          : json === undefined
            ? ' (not JSON: is this the mock? see --mock-url)'
            : '';
      throw new MockError(`the mock at ${base} ${describeRefusal(status, json)}${hint}`);
    },
    async stream(signal) {
      let res: Response;
      try {
        res = await fetch(`${base}/__mock/stream`, { headers: { ...headers, accept: 'text/event-stream' }, signal });
      } catch (e) {
        throw unreachable(e);
      }
      if (res.status !== 200 || !res.body) {
        const text = await res.text();
        const json = jsonOrUndefined(text);
        throw new MockError(`the mock at ${base} ${describeRefusal(res.status, json)} to GET /__mock/stream`);
      }
      return res;
    },
  };
  return client;
}

/** One Server-Sent Event: its `event:` and its `data:` (lines joined). */
export interface StreamEvent {
  type: string;
  data: string;
}

/** The events of an SSE body as they arrive (comments and `retry:` skipped). */
export async function* serverSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<StreamEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      let type = 'message';
      const data: string[] = [];
      for (const line of frame.split(/\r?\n/)) {
        if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) yield { type, data: data.join('\n') };
    }
  }
}

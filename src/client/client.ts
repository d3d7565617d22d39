/**
 * A small typed client for InkLink's webhook-endpoint operations, built on `fetch`. Every failure
 * is an `InklinkApiError` carrying status, code, message and requestId. It is the consumer code
 * the Pact tests in `contracts/consumer/` exercise, and what client teams can copy.
 */
import { InklinkApiError, errorFromResponse } from './errors';
import { API_KEY_HEADER } from '../../core/inklink';

export type WebhookEventType =
  | 'kyc.result.pending'
  | 'kyc.result.manual_review'
  | 'kyc.result.approved'
  | 'kyc.result.rejected'
  | 'kyc.result.failed'
  | 'web.result.pending'
  | 'web.result.manual_review'
  | 'web.result.approved'
  | 'web.result.rejected'
  | 'web.result.failed';

export interface CreateWebhookEndpointInput {
  /** HTTPS URL that receives deliveries (HTTP only in development). */
  url: string;
  name?: string;
  /** Defaults to true. */
  enabled?: boolean;
  /** Defaults to every event type. */
  event_types?: WebhookEventType[];
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  name: string | null;
  enabled: boolean;
  event_types: WebhookEventType[];
  created_at: string;
}

/** The created endpoint and its signing secret, which InkLink shows only in this answer. */
export interface CreatedWebhookEndpoint extends WebhookEndpoint {
  secret: string;
}

export interface RotatedSecret {
  /** The new `whsec_` secret, shown only in this answer; the previous one stops verifying at once. */
  secret: string;
}

export interface InklinkClientOptions {
  /** E.g. `https://platform.inklink.com/api/v1`, or a mock's URL. */
  baseUrl: string;
  /** An organization owner or admin key (`secret_live_…`), sent as the `api-key` header. */
  apiKey?: string;
  /** Per-call timeout in ms (default 30 000). */
  timeoutMs?: number;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
  /** Extra headers on every call (e.g. a user agent). */
  headers?: Record<string, string>;
}

export class InklinkClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: InklinkClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new TypeError('InklinkClient: baseUrl must be an absolute URL');
    }
    this.baseUrl = url.toString().replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** `POST /webhook/endpoints/{id}/rotate-secret`: a new secret, returned once. */
  async rotateSecret(endpointId: string): Promise<RotatedSecret> {
    if (typeof endpointId !== 'string' || endpointId === '')
      throw new TypeError('rotateSecret: endpointId is required');
    const { body, status, requestId } = await this.post(
      `/webhook/endpoints/${encodeURIComponent(endpointId)}/rotate-secret`,
      undefined,
    );
    if (!body || typeof body !== 'object' || typeof (body as Partial<RotatedSecret>).secret !== 'string') {
      throw invalidResponse('the answer has no secret', status, requestId);
    }
    return { secret: (body as RotatedSecret).secret };
  }

  /** `POST /webhook/endpoints`: the endpoint and its secret, returned once. */
  async createEndpoint(input: CreateWebhookEndpointInput): Promise<CreatedWebhookEndpoint> {
    const { body, status, requestId } = await this.post('/webhook/endpoints', input);
    if (
      !body ||
      typeof body !== 'object' ||
      typeof (body as Partial<CreatedWebhookEndpoint>).id !== 'string' ||
      typeof (body as Partial<CreatedWebhookEndpoint>).secret !== 'string'
    ) {
      throw invalidResponse('the answer has no endpoint id or secret', status, requestId);
    }
    return body as CreatedWebhookEndpoint;
  }

  private async post(path: string, json: unknown): Promise<{ body: unknown; status: number; requestId?: string }> {
    const headers: Record<string, string> = { accept: 'application/json', ...(this.options.headers ?? {}) };
    if (this.options.apiKey) headers[API_KEY_HEADER] = this.options.apiKey;
    if (json !== undefined) headers['content-type'] = 'application/json';
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    let res: Response;
    try {
      res = await this.fetchImpl(this.baseUrl + path, {
        method: 'POST',
        headers,
        body: json === undefined ? undefined : JSON.stringify(json),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const timedOut = (e as Error)?.name === 'TimeoutError' || (e as Error)?.name === 'AbortError';
      // The cause is named, never the URL or headers (they may carry the api key).
      throw new InklinkApiError({
        status: 0,
        code: timedOut ? 'TIMEOUT' : 'NETWORK_ERROR',
        message: timedOut ? `no answer within ${timeoutMs} ms` : `request failed: ${causeOf(e)}`,
      });
    }
    const requestId = res.headers.get('x-request-id') ?? undefined;
    const text = await res.text().catch(() => '');
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (res.status < 200 || res.status > 299) throw errorFromResponse(res.status, body, requestId);
    if (body === undefined) throw invalidResponse('the answer is not JSON', res.status, requestId);
    return { body, status: res.status, requestId };
  }
}

function invalidResponse(why: string, status: number, requestId?: string): InklinkApiError {
  // The body is not quoted: it may hold a secret.
  return new InklinkApiError({ status, code: 'INVALID_RESPONSE', message: `unexpected answer: ${why}`, requestId });
}

function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; name?: unknown } } | undefined)?.cause;
  return (cause?.code as string) ?? (cause?.name as string) ?? (e as Error)?.name ?? 'error';
}

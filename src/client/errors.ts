/** The one error the client raises: InkLink's error envelope, or what went wrong on the way. */
import { ERROR_CODE_BY_STATUS } from '../../core/inklink';

export interface InklinkErrorDetail {
  field: string;
  message: string;
}

/**
 * A failed call. `status` is the HTTP status (0 when no response arrived); `code` is InkLink's
 * code (`VALIDATION_ERROR`, `UNAUTHORIZED`, `NOT_FOUND`, `RATE_LIMIT_EXCEEDED`, `INTERNAL_ERROR`),
 * or the client's own `NETWORK_ERROR`, `TIMEOUT` or `INVALID_RESPONSE`; `requestId` is the
 * envelope's `requestId` (else the `x-request-id` header), for support requests.
 */
export class InklinkApiError extends Error {
  override readonly name = 'InklinkApiError';
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly details: InklinkErrorDetail[];

  constructor(init: {
    status: number;
    code: string;
    message: string;
    requestId?: string;
    details?: InklinkErrorDetail[];
  }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.details = init.details ?? [];
  }

  /** Whether a retry may succeed (a rate limit, a server error, or no response at all). */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/** InkLink's error envelope (`{error: {…}}`) as a body may carry it: any member may be missing or wrong. */
interface UncheckedEnvelope {
  code?: unknown;
  message?: unknown;
  requestId?: unknown;
  details?: unknown;
}

function isDetail(d: unknown): d is InklinkErrorDetail {
  if (!d || typeof d !== 'object') return false;
  const detail = d as Partial<Record<keyof InklinkErrorDetail, unknown>>;
  return typeof detail.field === 'string' && typeof detail.message === 'string';
}

/** Builds the error for a non-2xx answer, from its envelope when it has one. */
export function errorFromResponse(status: number, body: unknown, headerRequestId: string | undefined): InklinkApiError {
  const env = body && typeof body === 'object' ? ((body as { error?: unknown }).error as UncheckedEnvelope) : undefined;
  if (env && typeof env === 'object' && typeof env.code === 'string') {
    return new InklinkApiError({
      status,
      code: env.code,
      message: typeof env.message === 'string' ? env.message : `HTTP ${status}`,
      requestId: typeof env.requestId === 'string' ? env.requestId : headerRequestId,
      details: Array.isArray(env.details) ? env.details.filter(isDetail) : [],
    });
  }
  return new InklinkApiError({
    status,
    code: ERROR_CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'UNEXPECTED_STATUS'),
    message: `HTTP ${status} without InkLink's error envelope`,
    requestId: headerRequestId,
  });
}

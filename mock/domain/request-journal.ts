/**
 * The request journal, as WireMock users know it: the last API requests the mock answered (InkLink's
 * operations, not the control API), newest first, with their operation, status, duration, request
 * id, the key's hint and role, and the self-check's violations. Bounded in entries and bytes
 * (limits.ts). Never a body, a header value, a query string, a secret or a whole key: a path is
 * kept only when it matched an operation, and then with every segment that could carry a credential
 * masked (`[44 chars]`). Nothing here knows about HTTP: the inbound adapter records.
 */
import { ID_PREFIX, type Role } from '../../core/inklink';
import { redact } from '../../core/log';
import { SECRET_PREFIX } from '../../core/webhooks';
import { LIMITS } from './limits';
import { apiKeyHint, maskApiKey } from './ids';
import type { LiveFeed } from './live';
import { Ring } from './ring';

/** What the adapter knows about a request once it is answered. */
export interface RequestInput {
  /** When it arrived (ms since the epoch). */
  at: number;
  method: string;
  /** The request's path (no query string); kept, masked, only when `operation` is set. */
  path: string;
  /** The operationId it matched; undefined when it matched none. */
  operation?: string;
  /** The status answered; undefined when no answer was sent (the connection was reset or closed). */
  status?: number;
  durationMs: number;
  requestId: string;
  /** The api key it authenticated with (only its hint is kept) and what it authenticated as. */
  apiKey?: string;
  role?: Role;
  organizationId?: string;
  /** The fault rule that answered instead of the operation, or delayed it. */
  faultId?: string;
  violations?: readonly { check: string; location: readonly string[]; message: string }[];
}

export interface RequestViolation {
  check: string;
  location: string;
  message: string;
}

/** One journal entry, as `GET /__mock/requests` and the live stream show it. */
export interface RequestView {
  seq: number;
  time: string;
  method: string;
  /** Masked; null when the request matched no operation (an unmatched path is never shown). */
  path: string | null;
  operation: string | null;
  /** null: no answer was sent (the connection was reset or closed first). */
  status: number | null;
  duration_ms: number;
  request_id: string;
  /** The key masked as `secret_live_ab12…`, when it authenticated; else null. */
  api_key: string | null;
  role: Role | null;
  organization_id: string | null;
  fault_id: string | null;
  violations: RequestViolation[];
}

export interface RequestFilter {
  operation?: string;
  /** A status (`500`) or a class of statuses (`5xx`). */
  status?: string;
  organizationId?: string;
  limit?: number;
}

interface RequestRecord {
  seq: number;
  at: number;
  method: string;
  path: string | null;
  operation: string | null;
  status: number | null;
  durationMs: number;
  requestId: string;
  keyHint: string | null;
  role: Role | null;
  organizationId: string | null;
  faultId: string | null;
  violations: RequestViolation[];
}

/** A path segment is shown as is when it is short (no whole secret or key fits in it) and plain. */
const MAX_PLAIN_SEGMENT = 24;
const KEY_PREFIX = ID_PREFIX.apiKey;
const MAX_PATH = 512;
const MAX_VIOLATIONS = 10;
const MAX_MESSAGE = 300;
const NO_VIOLATIONS: RequestViolation[] = [];

/** 1 for the plain characters: letters, digits and `_.~-`. */
const PLAIN = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.~-') PLAIN[c.charCodeAt(0)] = 1;

/** Whether path[start, end) may be shown: short, plain and not shaped like a credential, or known. */
function shown(
  path: string,
  start: number,
  end: number,
  plain: boolean,
  isKnown: (segment: string) => boolean,
): boolean {
  if (
    plain &&
    end - start <= MAX_PLAIN_SEGMENT &&
    !path.startsWith(SECRET_PREFIX, start) &&
    !path.startsWith(KEY_PREFIX, start)
  )
    return true;
  return end > start && isKnown(path.slice(start, end));
}

const NOTHING_KNOWN = () => false;

/**
 * A path with every segment that could carry a credential masked as `[N chars]`: one longer than
 * 24 characters, one with other characters than letters, digits and `_.~-`, one that begins like a
 * secret or a key. An id the mock knows (`isKnown`, e.g. an existing endpoint's) is shown. On the
 * hot path: one pass over the characters, and no new string when nothing is masked.
 */
export function maskPath(path: string, isKnown: (segment: string) => boolean = NOTHING_KNOWN): string {
  let out: string | undefined;
  let copied = 0;
  let start = 0;
  let plain = true;
  for (let i = 0; i <= path.length; i++) {
    const c = i < path.length ? path.charCodeAt(i) : 47;
    if (c !== 47 /* / */) {
      if (plain && (c > 127 || PLAIN[c] === 0)) plain = false;
      continue;
    }
    if (!shown(path, start, i, plain, isKnown)) {
      out = (out ?? '') + path.slice(copied, start) + `[${i - start} chars]`;
      copied = i;
    }
    start = i + 1;
    plain = true;
  }
  const masked = out === undefined ? path : out + path.slice(copied);
  return masked.length > MAX_PATH ? `${masked.slice(0, MAX_PATH)}…` : masked;
}

function violationsOf(input: RequestInput['violations']): RequestViolation[] {
  if (!input || input.length === 0) return NO_VIOLATIONS;
  return input.slice(0, MAX_VIOLATIONS).map((v) => ({
    check: v.check,
    location: v.location.join('.').slice(0, MAX_MESSAGE),
    message: redact(v.message).slice(0, MAX_MESSAGE),
  }));
}

/** What one entry costs, about as much as it takes as JSON. */
function weightOf(r: RequestRecord): number {
  let w = 320 + r.method.length + (r.path?.length ?? 0) + (r.operation?.length ?? 0) + (r.organizationId?.length ?? 0);
  for (const v of r.violations) w += 40 + v.check.length + v.location.length + v.message.length;
  return w;
}

export interface RequestJournalOptions {
  /** Where requests are published as they are recorded. */
  live?: LiveFeed;
  /** Whether a path segment is an id the mock knows (shown unmasked). */
  isKnownId?: (segment: string) => boolean;
  entries?: number;
  bytes?: number;
}

export class RequestJournal {
  private readonly ring: Ring<RequestRecord>;
  private readonly capacity: number;
  private seq = 0;
  /** The last path masked, and how: clients call the same path over and over. */
  private lastPath = '';
  private lastMasked = '';

  constructor(private readonly options: RequestJournalOptions = {}) {
    this.capacity = options.entries ?? LIMITS.requestJournalEntries.value;
    this.ring = new Ring(this.capacity, options.bytes ?? LIMITS.requestJournalBytes.value);
  }

  get size(): number {
    return this.ring.size;
  }

  record(input: RequestInput): void {
    const operation = input.operation ?? null;
    const r: RequestRecord = {
      seq: ++this.seq,
      at: input.at,
      method: input.method,
      path: operation === null ? null : this.masked(input.path),
      operation,
      status: input.status ?? null,
      durationMs: input.durationMs,
      requestId: input.requestId,
      keyHint: input.apiKey === undefined ? null : apiKeyHint(input.apiKey),
      role: input.role ?? null,
      organizationId: input.organizationId ?? null,
      faultId: input.faultId ?? null,
      violations: violationsOf(input.violations),
    };
    this.ring.push(r, weightOf(r));
    const live = this.options.live;
    if (live?.wants()) live.publish('request', view(r));
  }

  private masked(path: string): string {
    if (path !== this.lastPath) {
      this.lastMasked = maskPath(path, this.options.isKnownId);
      this.lastPath = path;
    }
    return this.lastMasked;
  }

  /** Entries, newest first. */
  list(filter: RequestFilter = {}): RequestView[] {
    const limit = filter.limit ?? this.capacity;
    const status = statusMatcher(filter.status);
    const out: RequestView[] = [];
    for (const r of this.ring.newestFirst()) {
      if (out.length >= limit) break;
      if (filter.operation !== undefined && r.operation !== filter.operation) continue;
      if (filter.organizationId !== undefined && r.organizationId !== filter.organizationId) continue;
      if (!status(r.status)) continue;
      out.push(view(r));
    }
    return out;
  }

  /** Empties the journal; returns how many entries it had. */
  clear(): number {
    const n = this.ring.size;
    this.ring.clear();
    if (this.options.live?.wants()) this.options.live.publish('requests_cleared', { removed: n });
    return n;
  }
}

function statusMatcher(text: string | undefined): (status: number | null) => boolean {
  if (text === undefined) return () => true;
  const klass = /^([1-5])xx$/i.exec(text);
  if (klass) {
    const hundreds = Number(klass[1]);
    return (s) => s !== null && Math.floor(s / 100) === hundreds;
  }
  const exact = Number(text);
  return (s) => s === exact;
}

function view(r: RequestRecord): RequestView {
  return {
    seq: r.seq,
    time: new Date(r.at).toISOString(),
    method: r.method,
    path: r.path,
    operation: r.operation,
    status: r.status,
    duration_ms: r.durationMs,
    request_id: r.requestId,
    api_key: r.keyHint === null ? null : maskApiKey(r.keyHint),
    role: r.role,
    organization_id: r.organizationId,
    fault_id: r.faultId,
    violations: r.violations === NO_VIOLATIONS ? [] : r.violations.map((v) => ({ ...v })),
  };
}

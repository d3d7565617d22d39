/** Reads a JSON request body with a size limit, answering every way it can be wrong. */
import express, { type Request, type Response } from 'express';
import { matchContentType } from '../../core/media-type';
import { LIMITS } from '../domain/limits';

export const BODY_LIMIT_BYTES = LIMITS.bodyBytes.value;
/** Deepest nesting of arrays and objects accepted in a JSON body (see LIMITS.jsonDepth). */
export const MAX_JSON_DEPTH = LIMITS.jsonDepth.value;

/** True when the JSON text nests arrays/objects deeper than `max` (strings are skipped). */
export function nestedDeeperThan(buf: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** A body refused: a row of the refusal table (a 400 or a 413) and what was wrong. */
export type BodyResult =
  { ok: true; value: unknown } | { ok: false; kind: 'invalid_input' | 'body_too_large'; message: string };

/** Decodes strictly (invalid bytes throw) and keeps a byte order mark (which JSON does not allow). */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** True when a Content-Type names no charset, or UTF-8 (`charset=iso-8859-1` bodies were stored as U+FFFD). */
export function utf8Charset(contentType: string): boolean {
  if (!contentType.includes(';')) return true;
  const m = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType);
  return !m || /^utf-?8$/i.test(m[1]);
}

const raw = express.raw({ type: () => true, limit: BODY_LIMIT_BYTES });

type Refusal = Extract<BodyResult, { ok: false }>;

const TOO_LARGE: Refusal = {
  ok: false,
  kind: 'body_too_large',
  message: `The request body exceeds the ${BODY_LIMIT_BYTES} byte limit.`,
};
const invalid = (message: string): Refusal => ({ ok: false, kind: 'invalid_input', message });

/**
 * Reads a JSON body whose content type is one the operation declares (`accepted`, from the spec),
 * so nothing the validator would not check gets through.
 */
export function readJsonBody(
  req: Request,
  res: Response,
  accepted: readonly string[] = ['application/json'],
): Promise<BodyResult> {
  // A declared length over the limit is refused before anything else is looked at.
  if (Number(req.headers['content-length']) > BODY_LIMIT_BYTES) return Promise.resolve(TOO_LARGE);
  const type = req.headers['content-type'];
  if (!matchContentType(type, accepted as string[])) {
    return Promise.resolve(invalid(`Content-Type must be ${accepted.join(' or ')}.`));
  }
  if (!utf8Charset(type!))
    return Promise.resolve(invalid('The request body must be UTF-8: the Content-Type names another charset.'));
  return readRaw(req, res).then((r) => {
    if (!r.ok) return r;
    const buf = r.value;
    if (buf.length === 0) return invalid('A JSON request body is required.');
    if (nestedDeeperThan(buf, MAX_JSON_DEPTH)) {
      return invalid(`The request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`);
    }
    let text: string;
    try {
      text = UTF8.decode(buf);
    } catch {
      // Invalid bytes were once stored as U+FFFD: refused instead.
      return invalid('The request body is not valid UTF-8.');
    }
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch {
      return invalid('The request body is not valid JSON.');
    }
  });
}

/**
 * Reads and drops the body of an operation that takes none, under the same limit: a rotation sent
 * with a body over 1 MiB is refused with 413 like any other request.
 */
export function discardBody(req: Request, res: Response): Promise<BodyResult> | undefined {
  const length = req.headers['content-length'];
  if (length === undefined && req.headers['transfer-encoding'] === undefined) return undefined;
  if (length === '0') return undefined;
  if (Number(length) > BODY_LIMIT_BYTES) return Promise.resolve(TOO_LARGE);
  return readRaw(req, res).then((r) => (r.ok ? { ok: true, value: undefined } : r));
}

function readRaw(req: Request, res: Response): Promise<{ ok: true; value: Buffer } | Refusal> {
  return new Promise((resolve) => {
    raw(req, res, (err?: unknown) => {
      if (err) {
        // body-parser's errors (http-errors) say what went wrong in `type`.
        resolve(
          (err as { type?: unknown }).type === 'entity.too.large'
            ? TOO_LARGE
            : invalid('The request body could not be read.'),
        );
        return;
      }
      const buf: unknown = req.body;
      resolve({ ok: true, value: Buffer.isBuffer(buf) ? buf : Buffer.alloc(0) });
    });
  });
}

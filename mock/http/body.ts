/** Reads a JSON request body with a size limit, answering every way it can be wrong. */
import express, { type Request, type Response } from 'express';

export const BODY_LIMIT_BYTES = 1024 * 1024;
/**
 * Deepest nesting of arrays and objects accepted in a JSON body. JSON.parse takes any depth, but
 * JSON.stringify and structuredClone overflow the stack on a few thousand levels: an event emitted
 * with such `data` made its delivery, and then every journal listing, answer 500 (found by the
 * hostile-input suite, test/reliability/hostile-input).
 */
export const MAX_JSON_DEPTH = 64;

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

export type BodyResult =
  | { ok: true; value: unknown }
  | { ok: false; status: number; message: string; transport: boolean };

const raw = express.raw({ type: () => true, limit: BODY_LIMIT_BYTES });
const JSON_TYPE = /^application\/([\w.+-]*\+)?json\s*(;.*)?$/i;

const TOO_LARGE: BodyResult = {
  ok: false,
  status: 413,
  message: `The request body exceeds the ${BODY_LIMIT_BYTES} byte limit.`,
  transport: true,
};

export function readJsonBody(req: Request, res: Response): Promise<BodyResult> {
  // A declared length over the limit is refused before anything else is looked at.
  if (Number(req.headers['content-length']) > BODY_LIMIT_BYTES) return Promise.resolve(TOO_LARGE);
  const type = req.headers['content-type'];
  if (type === undefined || !JSON_TYPE.test(type)) {
    return Promise.resolve({ ok: false, status: 400, message: 'Content-Type must be application/json.', transport: false });
  }
  return new Promise((resolve) => {
    raw(req, res, (err?: any) => {
      if (err) {
        if (err.type === 'entity.too.large') {
          resolve(TOO_LARGE);
        } else {
          resolve({ ok: false, status: 400, message: 'The request body could not be read.', transport: false });
        }
        return;
      }
      const buf: unknown = req.body;
      if (!Buffer.isBuffer(buf) || buf.length === 0) {
        resolve({ ok: false, status: 400, message: 'A JSON request body is required.', transport: false });
        return;
      }
      if (nestedDeeperThan(buf, MAX_JSON_DEPTH)) {
        resolve({ ok: false, status: 400, message: `The request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`, transport: false });
        return;
      }
      try {
        resolve({ ok: true, value: JSON.parse(buf.toString('utf8')) });
      } catch {
        resolve({ ok: false, status: 400, message: 'The request body is not valid JSON.', transport: false });
      }
    });
  });
}

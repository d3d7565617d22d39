/**
 * Records every request to InkLink's API in the request journal (mock/domain/request-journal.ts)
 * once it is answered, or once its connection is gone without an answer. On the hot path: two
 * clock reads and one listener; the entry is built when the response closes. What is recorded comes
 * from what the layers left in `res.locals` (the operation, the authenticated principal, the
 * self-check's violations) and the fault header; the key is passed on only to be cut to its hint.
 */
import { performance } from 'node:perf_hooks';
import type { Request, Response } from 'express';
import { API_KEY_HEADER } from '../../core/inklink';
import type { Principal } from '../domain/model';
import type { RequestJournal } from '../domain/request-journal';
import { FAULT_HEADER } from './faults';

/** `now`: the mock's time (a virtual clock's, when it runs on one), for when each request arrived. */
export function requestRecorder(
  journal: RequestJournal,
  now: () => number = Date.now,
): (req: Request, res: Response) => void {
  return (req, res) => {
    const at = now();
    const started = performance.now();
    // 'close' comes once, after the answer or without one; `on` costs less than `once`.
    res.on('close', () => {
      const locals = res.locals;
      const principal = locals.principal as Principal | undefined;
      const fault = res.getHeader(FAULT_HEADER);
      journal.record({
        at,
        method: req.method,
        path: req.path,
        operation: locals.operationId,
        status: res.headersSent ? res.statusCode : undefined,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        requestId: locals.requestId,
        apiKey: principal ? (req.headers[API_KEY_HEADER] as string) : undefined,
        role: principal?.role,
        organizationId: principal?.organizationId,
        faultId: typeof fault === 'string' ? fault : undefined,
        violations: locals.violations,
      });
    });
  };
}

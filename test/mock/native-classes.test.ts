/**
 * The mock's requests and responses are born with the Express app's prototypes, so the prototype
 * change Express makes on every request is a no-op (mock/http/native-classes.ts). If an Express
 * upgrade changed how it sets them, nothing would break: the mock would only get slower, silently.
 * This test makes that visible: it watches every Object.setPrototypeOf during real requests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { expressNativeClasses } from '../../mock/http/native-classes';
import { startMock } from '../helpers/mock';

/**
 * Calls of Object.setPrototypeOf on `http` requests and responses while `fn` runs, and whether each
 * changed anything.
 */
async function prototypeChanges(fn: () => Promise<void>): Promise<{ changed: number; calls: number }> {
  const original = Object.setPrototypeOf;
  let calls = 0;
  let changed = 0;
  Object.setPrototypeOf = function (o: any, proto: object | null) {
    if (o instanceof http.IncomingMessage || o instanceof http.ServerResponse) {
      calls++;
      if (Object.getPrototypeOf(o) !== proto) changed++;
    }
    return original(o, proto);
  };
  try {
    await fn();
  } finally {
    Object.setPrototypeOf = original;
  }
  return { calls, changed };
}

describe("Express's per-request prototype change stays a no-op", () => {
  it('on the mock: Express still sets the prototypes (calls > 0), and never to anything new', async () => {
    const m = await startMock();
    try {
      const seen = await prototypeChanges(async () => {
        for (const path of ['/__mock/health', `/webhook/endpoints/${m.endpoint().id}/rotate-secret`]) {
          const res = await fetch(m.url + path, {
            method: path.startsWith('/__mock') ? 'GET' : 'POST',
            headers: { 'api-key': m.key('admin') },
          });
          expect(res.status).toBe(200);
          await res.text();
        }
      });
      // If Express stopped calling setPrototypeOf, the classes would be dead weight; if it set a new
      // prototype, every request would get new hidden classes again.
      expect(seen.calls).toBeGreaterThan(0);
      expect(seen.changed).toBe(0);
    } finally {
      await m.close();
    }
  });

  it("the classes carry the app's request and response: Express's own helpers work on them", async () => {
    const app = express();
    let proto: object | undefined;
    app.get('/x', (req, res) => {
      proto = Object.getPrototypeOf(req);
      res.status(201).json({ path: req.path, query: req.query.q });
    });
    const classes = expressNativeClasses(app);
    const server = http.createServer(classes, app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x?q=1`);
      expect(res.status).toBe(201);
      expect(await res.json()).toEqual({ path: '/x', query: '1' });
      expect(proto).toBe(classes.IncomingMessage.prototype);
    } finally {
      server.close();
    }
  });
});

/**
 * A wrong method on a path the spec knows is answered 405 in InkLink's envelope, with `Allow`
 * listing the methods the spec declares for that path (issue 22, point 11).
 */
import { REFUSALS } from '../../core/refusals';
import { getSpec } from '../../core/spec';
import { call, expectEnvelope } from '../helpers/http';
import { startMock, type TestMock } from '../helpers/mock';

let m: TestMock;
beforeAll(async () => {
  m = await startMock();
});
afterAll(() => m.close());

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH'];

/** Each path of the spec, made concrete with the mock's first endpoint id, and its declared methods. */
function paths(): { path: string; declared: string[] }[] {
  const byPath = new Map<string, string[]>();
  for (const op of getSpec().operations.values()) {
    const concrete = op.path.replace(/\{[^}]+\}/g, m.endpoint().id);
    byPath.set(concrete, [...(byPath.get(concrete) ?? []), op.method]);
  }
  return [...byPath].map(([path, declared]) => ({ path, declared }));
}

it('answers 405 with Allow naming the declared methods, for every path and undeclared method', async () => {
  const r = REFUSALS.method_not_allowed;
  const seen: number[] = [];
  for (const { path, declared } of paths()) {
    for (const method of METHODS.filter((x) => !declared.includes(x))) {
      const res = await call(m.url, method, path, { headers: { 'api-key': m.key('owner') } });
      expectEnvelope(res, r.status, r.code);
      expect([method, path, res.headers.get('allow')]).toEqual([method, path, declared.join(', ')]);
      seen.push(res.status);
    }
  }
  expect(seen.length).toBeGreaterThan(0);
});

it('still answers 404 for an unknown path, without Allow', async () => {
  const res = await call(m.url, 'GET', '/no/such/path');
  expectEnvelope(res, REFUSALS.no_route.status, REFUSALS.no_route.code);
  expect(res.headers.get('allow')).toBeNull();
});

/**
 * A key- or secret-shaped path segment of 24 or fewer characters (the start of a key sent as an
 * endpoint id) is masked in the request journal (issue 22, point 11).
 */
import { ID_PREFIX } from '../../core/inklink';
import { getSpec } from '../../core/spec';
import { call } from '../helpers/http';
import { startMock, type TestMock } from '../helpers/mock';

let m: TestMock;
beforeAll(async () => {
  m = await startMock();
});
afterAll(() => m.close());

it.each([`${ID_PREFIX.apiKey}abc`, 'whsec_abc'])('%s as an endpoint id never shows in the journal', async (seg) => {
  const rotate = [...getSpec().operations.values()].find((o) => o.path.includes('{'))!;
  await call(m.url, rotate.method, rotate.path.replace(/\{[^}]+\}/, seg), {
    headers: { 'api-key': m.key('owner') },
  });
  const journal = await call(m.url, 'GET', '/__mock/requests');
  expect(journal.status).toBe(200);
  expect(journal.text).not.toContain(seg);
  expect(journal.text).toContain(`[${seg.length} chars]`);
});

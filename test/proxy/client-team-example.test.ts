/**
 * docs/proxy.md's example, run as it is: a client team's integration test that puts the validating
 * proxy between its code and InkLink's sandbox (here the mock stands in for the sandbox, and the
 * env vars the example reads are set from it). test/proxy/docs.test.ts checks the page shows
 * exactly the code between the markers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMock, type TestMock } from '../helpers/mock';

let sandbox: TestMock;
beforeAll(async () => {
  sandbox = await startMock();
  process.env.INKLINK_SANDBOX_URL = `${sandbox.url}/api/v1`;
  process.env.INKLINK_SANDBOX_KEY = sandbox.key('admin');
  process.env.INKLINK_SANDBOX_ENDPOINT = sandbox.endpoint().id;
  process.env.INKLINK_PROXY_HAR = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'client-team-')), 'inklink.har');
});
afterAll(() => sandbox.close());

// docs/proxy.md example: begin
import { InklinkClient, startValidatingProxy, type ValidatingProxy } from '../../src';

let proxy: ValidatingProxy;
beforeAll(async () => {
  proxy = await startValidatingProxy({
    upstream: process.env.INKLINK_SANDBOX_URL!,
    harFile: process.env.INKLINK_PROXY_HAR,
    logLevel: 'warn',
  });
});
afterAll(async () => {
  // Every exchange of the suite kept InkLink's contract: openapi.json and the documented rules.
  expect((await proxy.close()).findings).toEqual([]);
});

// Our code talks to the proxy instead of the sandbox; nothing else changes.
const inklink = () => new InklinkClient({ baseUrl: proxy.url, apiKey: process.env.INKLINK_SANDBOX_KEY! });

it('rotates our webhook signing secret', async () => {
  const { secret } = await inklink().rotateSecret(process.env.INKLINK_SANDBOX_ENDPOINT!);
  expect(secret).toMatch(/^whsec_/);
});

it('handles an unknown endpoint as InkLink answers it', async () => {
  await expect(inklink().rotateSecret('wh_end_unknown')).rejects.toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
});
// docs/proxy.md example: end

it('the proxy saw both calls, and neither broke a rule', () => {
  expect(proxy.report()).toMatchObject({ exchanges: 2, violations: 0 });
});

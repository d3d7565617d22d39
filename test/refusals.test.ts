/**
 * The refusal table (core/refusals.ts) is the one place a refusal's status and code are stated:
 * the mock answers from it, the verifier expects from it, the Pact builders write it into pacts.
 * The derivation test flips a row in a fresh copy of the table and watches all three follow.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ERROR_CODE_BY_STATUS } from '../core/inklink';
import { OPERATION_REFUSALS, REFUSALS, codeForStatus, type Refusal } from '../core/refusals';
import { getSpec } from '../core/spec';
import { pactLib } from '../src/pact/lib';
import { startMock, type TestMock } from './helpers/mock';
import { call } from './helpers/http';

type Modules = {
  refusals: typeof import('../core/refusals');
  server: typeof import('../mock/server');
  verifier: typeof import('../src/verifier/run');
  interactions: typeof import('../src/pact/interactions');
};

/**
 * A fresh copy of the toolkit (its own module registry, sharing only Pact's native library) whose
 * copy of the refusal table is changed by `edit` before anything else is loaded.
 */
function toolkitWithTable(edit: (table: typeof REFUSALS) => void): Modules {
  const pact = pactLib();
  let modules!: Modules;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded in isolateModules, after the mock and edit */
  jest.isolateModules(() => {
    jest.doMock('../src/pact/lib', () => ({ pactLib: () => pact }));
    const refusals: Modules['refusals'] = require('../core/refusals');
    edit(refusals.REFUSALS);
    modules = {
      refusals,
      server: require('../mock/server'),
      verifier: require('../src/verifier/run'),
      interactions: require('../src/pact/interactions'),
    };
  });
  /* eslint-enable @typescript-eslint/no-require-imports -- the isolated loads end here */
  return modules;
}

describe('the refusal table', () => {
  it("agrees with InkLink's documented status table wherever that table has the status", () => {
    for (const [kind, r] of Object.entries(REFUSALS) as [string, Refusal][]) {
      const documented = ERROR_CODE_BY_STATUS[r.status];
      if (documented) expect([kind, r.code]).toEqual([kind, documented]);
      expect(codeForStatus(r.status)).toBe(documented ?? r.code);
    }
  });

  it('openapi.json declares the status of every refusal each operation can give', () => {
    const spec = getSpec();
    for (const [operationId, kinds] of Object.entries(OPERATION_REFUSALS)) {
      const op = spec.operation(operationId);
      for (const kind of kinds)
        expect([operationId, kind, op.responses.has(String(REFUSALS[kind].status))]).toEqual([operationId, kind, true]);
    }
    // And every operation of the spec is in the table.
    expect(Object.keys(OPERATION_REFUSALS).sort()).toEqual([...spec.operations.keys()].sort());
  });

  describe('a flipped row (a member key gets 403 FORBIDDEN) is followed by all three', () => {
    let flipped: Modules;
    let flippedMock: Awaited<ReturnType<Modules['server']['createMockServer']>>;
    let flippedUrl: string;
    let standard: TestMock;

    beforeAll(async () => {
      // One line of the table changes, in a copy: the rest of the suite keeps the real one.
      flipped = toolkitWithTable((table) => Object.assign(table.forbidden, { status: 403, code: 'FORBIDDEN' }));
      expect(REFUSALS.forbidden).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
      flippedMock = flipped.server.createMockServer({ logLevel: 'silent' });
      flippedUrl = await flippedMock.listen();
      standard = await startMock();
    });
    afterAll(async () => {
      await flippedMock?.close();
      await standard?.close();
    });

    it('the mock answers a member key with the flipped status and code', async () => {
      const org = flippedMock.seeded[0];
      const member = org.apiKeys.find((k) => k.role === 'member')!.key;
      const res = await call(flippedUrl, 'POST', `/webhook/endpoints/${org.endpoints[0].id}/rotate-secret`, {
        headers: { 'api-key': member },
      });
      expect(res.status).toBe(403);
      expect(res.json.error.code).toBe('FORBIDDEN');
      // The other refusals did not move.
      const none = await call(flippedUrl, 'POST', `/webhook/endpoints/${org.endpoints[0].id}/rotate-secret`);
      expect([none.status, none.json.error.code]).toEqual([401, 'UNAUTHORIZED']);
    });

    it(
      "the verifier's role check expects the flipped answer: it " +
        'passes on the flipped mock and fails on the standard one',
      async () => {
        const run = (url: string, seeded: typeof flippedMock.seeded) =>
          flipped.verifier.verify({
            baseUrl: url,
            adminKey: seeded[0].apiKeys.find((k) => k.role === 'admin')!.key,
            memberKey: seeded[0].apiKeys.find((k) => k.role === 'member')!.key,
            only: ['role_enforced', 'generated_requests'],
          });
        const onFlipped = await run(flippedUrl, flippedMock.seeded);
        expect(onFlipped.results.map((r) => [r.name, r.status])).toEqual([
          ['role_enforced', 'pass'],
          ['generated_requests', 'pass'],
        ]);
        expect(onFlipped.results[0].description).toContain('403 FORBIDDEN');
        expect(onFlipped.results[1].summary).toMatch(/ 403 FORBIDDEN/);
        const onStandard = await run(standard.url, standard.mock.seeded);
        expect(onStandard.results.map((r) => r.status)).toEqual(['fail', 'fail']);
        expect(onStandard.results[0].summary).toMatch(/expected 403 FORBIDDEN, got 500/);
        // The generated requests with a member key expect the flipped answer too.
        expect(onStandard.results[1].summary).toMatch(/with a member key: expected 403 FORBIDDEN, got 500/);
      },
    );

    it('the Pact builders write the flipped status and code into the pact', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-refusals-'));
      const { PactV4 } = pactLib();
      const pact = new PactV4({ consumer: 'refusal-table-test', provider: 'inklink', dir, logLevel: 'error' });
      await flipped.interactions.rotateSecretInteraction(pact, { case: 'member-key' }).executeTest(async (server) => {
        const res = await fetch(
          `${server.url}/webhook/endpoints/${flipped.interactions.EXAMPLES.endpointId}/rotate-secret`,
          {
            method: 'POST',
            headers: { 'api-key': flipped.interactions.EXAMPLES.apiKey },
          },
        );
        expect(res.status).toBe(403);
        expect(((await res.json()) as any).error.code).toBe('FORBIDDEN');
      });
      const written = JSON.parse(fs.readFileSync(path.join(dir, 'refusal-table-test-inklink.json'), 'utf8'));
      expect(written.interactions[0].response.status).toBe(403);
      expect(written.interactions[0].response.body.content.error.code).toBe('FORBIDDEN');
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });
});

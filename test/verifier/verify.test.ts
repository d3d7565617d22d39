/**
 * `verify` against the correct mock (every check passes, none skipped) and against deliberately
 * broken variants (each fails exactly the checks it should, and the checks that follow from those
 * are reported as blocked, not failed). The variants themselves run in variants.test.ts.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { CHECKS, verify, type VerifyOptions } from '../../src/verifier/run';
import type { Report } from '../../src/verifier/types';
import { startVariant, type RunningVariant } from '../helpers/broken-variants';
import { runNode } from '../helpers/cli';
import { explain, failing, verifyVariant } from '../helpers/verifier';

const DELIVERY_CHECKS = [
  'delivery_signature',
  'immediate_invalidation',
  'rotation_scoped',
  'retry_after_rotation',
  'failed_attempts_retried',
  'disabled_endpoint',
  'subscriptions',
  'delivery_conformance',
];

async function withCorrect<T>(fn: (v: RunningVariant) => Promise<T>): Promise<T> {
  const v = await startVariant('correct');
  try {
    return await fn(v);
  } finally {
    await v.close();
  }
}

const options = (v: RunningVariant, extra: Partial<VerifyOptions> = {}): VerifyOptions => ({
  baseUrl: v.url,
  adminKey: v.keys.admin,
  memberKey: v.keys.member,
  ownerKey: v.keys.owner,
  otherOrgKey: v.keys.otherOrg,
  trigger: 'mock',
  deliveryWaitMs: 2000,
  ...extra,
});

describe('verify against the correct mock', () => {
  it('with every key and --trigger mock: every check passes, none is skipped or blocked', async () => {
    const report = await verifyVariant('correct');
    expect(explain(report)).toBe('');
    expect(report.counts).toEqual({ pass: CHECKS.length, fail: 0, skip: 0, blocked: 0 });
    expect(report.results.map((r) => r.name)).toEqual(CHECKS.map((c) => c.name));
  });

  it('with --trigger none: the delivery checks are skipped, saying why, and the rest pass', async () => {
    const report = await verifyVariant('correct', 'none');
    expect(failing(report)).toEqual([]);
    const skipped = report.results.filter((r) => r.status === 'skip');
    expect(skipped.map((r) => r.name)).toEqual(DELIVERY_CHECKS);
    for (const s of skipped) expect(s.summary).toMatch(/needs a trigger/);
    expect(report.results.find((r) => r.name === 'role_enforced')!.summary).toMatch(/not proven: no trigger/);
  });

  it("without the owner's and other organization’s keys, the checks needing them are skipped, saying why", async () => {
    const report = await withCorrect((v) => verify(options(v, { ownerKey: undefined, otherOrgKey: undefined })));
    expect(failing(report)).toEqual([]);
    expect(report.results.filter((r) => r.status === 'skip').map((r) => [r.name, r.summary])).toEqual([
      ['privileged_roles', expect.stringMatching(/--owner-key/)],
      ['not_found_indistinguishable', expect.stringMatching(/--other-org-key/)],
    ]);
  });

  it("with --trigger url:URL: the provider's own trigger endpoint receives {endpoint_id, type}", async () => {
    await withCorrect(async (v) => {
      const seen: unknown[] = [];
      // What a provider would run: an endpoint that makes the implementation emit the event.
      const triggerServer = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', async () => {
          const asked = JSON.parse(body);
          seen.push(asked);
          const r = await fetch(`${v.url}/__mock/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(asked),
          });
          res.writeHead(r.status === 202 ? 204 : 500).end();
        });
      });
      await new Promise<void>((resolve) => triggerServer.listen(0, '127.0.0.1', resolve));
      try {
        const report = await verify(
          options(v, { trigger: `url:http://127.0.0.1:${(triggerServer.address() as AddressInfo).port}/emit` }),
        );
        expect(explain(report)).toBe('');
        expect(report.counts).toEqual({ pass: CHECKS.length, fail: 0, skip: 0, blocked: 0 });
        expect(seen[0]).toEqual({ endpoint_id: expect.stringMatching(/^wh_end_/), type: expect.any(String) });
      } finally {
        triggerServer.closeAllConnections();
        await new Promise<void>((resolve) => triggerServer.close(() => resolve()));
      }
    });
  });

  it('never puts a secret or a key in the report', async () => {
    await withCorrect(async (v) => {
      const report = await verify(options(v));
      const text = JSON.stringify(report);
      expect(text).not.toMatch(/whsec_[A-Za-z0-9+/]{10}/);
      for (const k of Object.values(v.keys)) expect(text).not.toContain(k);
      // Secrets were issued, and the report still shows where.
      expect(report.exchanges.some((e) => e.response?.body.includes('[redacted secret]'))).toBe(true);
    });
  });

  it('hands each result to onResult once it is final: a check only after those it may be blocked by', async () => {
    await withCorrect(async (v) => {
      const seen: string[] = [];
      let started = 0;
      const report = await verify(options(v, { onStart: () => started++, onResult: (r) => seen.push(r.name) }));
      expect(started).toBe(1);
      expect([...seen].sort()).toEqual(report.results.map((r) => r.name).sort());
      for (const c of CHECKS)
        for (const dep of c.after ?? [])
          expect([c.name, seen.indexOf(dep) < seen.indexOf(c.name)]).toEqual([c.name, true]);
    });
  });
});

describe("verify's own model stays honest", () => {
  it('a 200 to a member is a failure, not taken as the secret: a delivery then proves the secret changed', async () => {
    const report = await verifyVariant('member-may-rotate');
    const role = report.results.find((r) => r.name === 'role_enforced')!;
    expect(role.status).toBe('fail');
    expect(role.evidence.map((e) => e.message)).toEqual([
      expect.stringMatching(/expected 500 INTERNAL_ERROR, got 200/),
      expect.stringMatching(/no longer verifies with the last secret the API issued to the run: the secret changed/),
    ]);
  });

  it("a 200 to another organization's key: a failure, not the secret; both secrets are proven changed", async () => {
    const report = await verifyVariant('other-org-may-rotate');
    const iso = report.results.find((r) => r.name === 'not_found_indistinguishable')!;
    expect(iso.status).toBe('fail');
    const messages = iso.evidence.map((e) => e.message).join('\n');
    expect(messages).toMatch(/another organization's endpoint: expected 500 INTERNAL_ERROR, got 200/);
    expect(messages.match(/the secret changed/g)).toHaveLength(2);
  });

  it('a broken rule is reported once, where checked; the checks that follow from it are blocked by it', async () => {
    const report = await verifyVariant('secret-not-a-string');
    const byName = new Map(report.results.map((r) => [r.name, r]));
    expect(byName.get('response_schema_conformance')!.status).toBe('fail');
    expect(byName.get('one_time_secret')).toMatchObject({
      status: 'blocked',
      blockedBy: ['response_schema_conformance'],
    });
    expect(byName.get('immediate_invalidation')).toMatchObject({ status: 'blocked', blockedBy: ['one_time_secret'] });
    expect(byName.get('immediate_invalidation')!.summary).toMatch(/^blocked by one_time_secret \(blocked\)/);
    // The blocked check keeps its own findings for the JSON report.
    expect(byName.get('immediate_invalidation')!.evidence[0].message).toMatch(/did not return a secret/);
  });
});

describe('when the set-up fails', () => {
  it('the set-up is one failure that shows the response; the checks that needed it are not run', async () => {
    await withCorrect(async (v) => {
      // Every create answers 500: no endpoint can be set up.
      await fetch(`${v.url}/__mock/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ operation_id: 'createWebhookEndpoint', status: 500 }),
      });
      const report: Report = await verify(options(v));
      const setup = report.results[0];
      expect(setup).toMatchObject({ name: 'setup', status: 'fail' });
      expect(setup.summary).toMatch(/^set-up: creating endpoint "probe" with the admin key answered 500/);
      const shown = report.exchanges[setup.evidence[0].exchange! - 1];
      expect(shown.response!.status).toBe(500);
      const needy = CHECKS.filter((c) => (c.endpoints ?? []).length > 0 || c.requires?.includes('trigger')).map(
        (c) => c.name,
      );
      for (const name of needy) {
        const r = report.results.find((x) => x.name === name)!;
        expect([name, r.status, r.summary]).toEqual([
          name,
          'blocked',
          expect.stringMatching(/^not run: set-up: creating endpoint/),
        ]);
        expect(r.blockedBy).toEqual(['setup']);
      }
      // Nothing passes on nothing: every review that passed judged the answers there were.
      for (const r of report.results.filter((x) => x.status === 'pass')) expect(r.summary).not.toMatch(/^0 /);
    });
  });

  it('an admin key the implementation refuses blocks every check but the reviews of what it answered', async () => {
    await withCorrect(async (v) => {
      const report = await verify(options(v, { adminKey: 'secret_live_notakeyofthisimplementation' }));
      expect(report.results[0].summary).toMatch(/answered 401 \(401 UNAUTHORIZED: is --admin-key a valid key\?\)/);
      expect(failing(report)).toEqual(['setup']);
      const ran = report.results.filter((r) => r.status !== 'blocked').map((r) => r.name);
      expect(ran).toEqual([
        'setup',
        ...CHECKS.filter((c) => c.phase === 'review' && !c.endpoints?.length).map((c) => c.name),
      ]);
    });
  });
});

describe('the report of an implementation that drops the whsec_ prefix', () => {
  it('still shows none of its secrets', async () => {
    const v = await startVariant('secret-without-prefix');
    try {
      const report = await verify(options(v));
      const text = JSON.stringify(report);
      const secrets = [...v.mock.store.endpoints()].map((e) => e.secret.slice(6));
      expect(secrets.length).toBeGreaterThan(4);
      for (const s of secrets) expect(text).not.toContain(s);
      expect(text).toContain('[redacted secret]');
    } finally {
      await v.close();
    }
  });
});

describe('verify as a library', () => {
  it('leaves nothing open that keeps the process alive: a full run, and a base URL that never answers', async () => {
    // A base URL that accepts connections and never answers (its sockets are destroyed at the end).
    const accepted = new Set<net.Socket>();
    const silent = net.createServer((socket) => void accepted.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const v = await startVariant('correct');
    try {
      const entry = path.join(__dirname, '../../dist/src/entries/verify.js');
      const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      // The user's script: two runs, side by side, then nothing; it must end as soon as they have.
      const script = `
        const { verify } = require(${JSON.stringify(entry)});
        const o = JSON.parse(process.env.OPTIONS);
        Promise.all([verify(o), verify({ ...o, baseUrl: ${JSON.stringify(silentUrl)} })]).then(([full, never]) => {
          console.log(JSON.stringify({ counts: full.counts, aborted: never.aborted, at: Date.now() }));
        });`;
      const r = await runNode(['-e', script], { env: { OPTIONS: JSON.stringify(options(v)) } });
      const exitedAt = Date.now();
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout);
      // A timer or socket left referenced would hold the process for seconds (the request timeout is 10 s).
      expect(exitedAt - out.at).toBeLessThan(1500);
      expect(out.counts).toEqual({ pass: CHECKS.length, fail: 0, skip: 0, blocked: 0 });
      expect(out.aborted).toMatch(/no answer within 4.5 s/);
    } finally {
      await v.close();
      for (const socket of accepted) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

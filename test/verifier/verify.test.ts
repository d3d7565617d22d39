/**
 * `verify` against the correct mock (every check passes, none skipped) and against deliberately
 * broken variants (each fails exactly the checks it should).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '../../src/verifier/run';
import type { Report } from '../../src/verifier/types';
import { startVariant, VARIANTS } from '../support/broken-variants';

async function verifyVariant(name: string, trigger = 'mock'): Promise<Report> {
  const v = await startVariant(name);
  try {
    return await verify({
      baseUrl: v.url,
      adminKey: v.keys.admin,
      memberKey: v.keys.member,
      otherOrgKey: v.keys.otherOrg,
      trigger,
      deliveryWaitMs: 2000,
    });
  } finally {
    await v.close();
  }
}

const failing = (r: Report) => r.results.filter((x) => x.status === 'fail').map((x) => x.name).sort();
const explain = (r: Report) =>
  r.results
    .filter((x) => x.status === 'fail')
    .map((x) => `${x.name}: ${x.evidence.map((e) => e.message).join(' | ')}`)
    .join('\n');

describe('verify against the correct mock', () => {
  it('with --trigger mock and another organization: every check passes, none is skipped', async () => {
    const report = await verifyVariant('correct');
    expect(explain(report)).toBe('');
    expect(report.counts).toEqual({ pass: 13, fail: 0, skip: 0 });
    expect(report.results.map((r) => r.name)).toEqual([
      'auth_required',
      'role_enforced',
      'unknown_endpoint',
      'not_found_indistinguishable',
      'create_validation',
      'immediate_invalidation',
      'delivery_conformance',
      'status_code_conformance',
      'content_type_conformance',
      'response_schema_conformance',
      'response_headers_conformance',
      'error_envelope',
      'one_time_secret',
    ]);
  });

  it('with --trigger none: the delivery checks are skipped, saying why, and the rest pass', async () => {
    const report = await verifyVariant('correct', 'none');
    expect(failing(report)).toEqual([]);
    const skipped = report.results.filter((r) => r.status === 'skip');
    expect(skipped.map((r) => r.name)).toEqual(['immediate_invalidation', 'delivery_conformance']);
    for (const s of skipped) expect(s.summary).toMatch(/needs a trigger/);
    expect(report.results.find((r) => r.name === 'role_enforced')!.summary).toMatch(/not proven: no trigger/);
  });

  it('without another organization’s key, tenant isolation is skipped with the reason', async () => {
    const v = await startVariant('correct');
    try {
      const report = await verify({ baseUrl: v.url, adminKey: v.keys.admin, memberKey: v.keys.member, trigger: 'mock', deliveryWaitMs: 2000 });
      expect(failing(report)).toEqual([]);
      expect(report.results.find((r) => r.name === 'not_found_indistinguishable')).toMatchObject({ status: 'skip', summary: expect.stringMatching(/other-org-key/) });
    } finally {
      await v.close();
    }
  });

  it('with --trigger url:URL: the provider\'s own trigger endpoint receives {endpoint_id, type}', async () => {
    const v = await startVariant('correct');
    const seen: unknown[] = [];
    // What a provider would run: an endpoint that makes the implementation emit the event.
    const triggerServer = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', async () => {
        const asked = JSON.parse(body);
        seen.push(asked);
        const r = await fetch(`${v.url}/__mock/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(asked) });
        res.writeHead(r.status === 202 ? 204 : 500).end();
      });
    });
    await new Promise<void>((resolve) => triggerServer.listen(0, '127.0.0.1', resolve));
    const port = (triggerServer.address() as AddressInfo).port;
    try {
      const report = await verify({
        baseUrl: v.url,
        adminKey: v.keys.admin,
        memberKey: v.keys.member,
        otherOrgKey: v.keys.otherOrg,
        trigger: `url:http://127.0.0.1:${port}/emit`,
        deliveryWaitMs: 2000,
      });
      expect(explain(report)).toBe('');
      expect(report.counts).toEqual({ pass: 13, fail: 0, skip: 0 });
      expect(seen[0]).toEqual({ endpoint_id: expect.stringMatching(/^wh_end_/), type: expect.any(String) });
    } finally {
      triggerServer.close();
      await v.close();
    }
  });

  it('never puts a secret or a key in the report', async () => {
    const v = await startVariant('correct');
    try {
      const report = await verify({ baseUrl: v.url, adminKey: v.keys.admin, memberKey: v.keys.member, otherOrgKey: v.keys.otherOrg, trigger: 'mock', deliveryWaitMs: 2000 });
      const text = JSON.stringify(report);
      expect(text).not.toMatch(/whsec_[A-Za-z0-9+/]{10}/);
      for (const k of Object.values(v.keys)) expect(text).not.toContain(k);
      // Secrets were issued, and the report still shows where.
      expect(report.exchanges.some((e) => e.response?.body.includes('[redacted secret]'))).toBe(true);
    } finally {
      await v.close();
    }
  });
});

describe('the report of an implementation that drops the whsec_ prefix', () => {
  it('still shows none of its secrets', async () => {
    const v = await startVariant('secret-without-prefix');
    try {
      const report = await verify({ baseUrl: v.url, adminKey: v.keys.admin, memberKey: v.keys.member, otherOrgKey: v.keys.otherOrg, trigger: 'mock', deliveryWaitMs: 2000 });
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

describe('verify catches broken implementations', () => {
  const names = Object.keys(VARIANTS);
  it('has at least 10 variants', () => {
    expect(names.length).toBeGreaterThanOrEqual(10);
  });

  it.each(names)('%s fails exactly the checks it should', async (name) => {
    const report = await verifyVariant(name);
    const expected = [...VARIANTS[name].fails].sort();
    if (JSON.stringify(failing(report)) !== JSON.stringify(expected)) {
      throw new Error(`${name} (${VARIANTS[name].description}): expected ${expected.join(', ')}; got:\n${explain(report)}`);
    }
    for (const r of report.results.filter((x) => x.status === 'fail')) expect(r.evidence.length).toBeGreaterThan(0);
  });
});

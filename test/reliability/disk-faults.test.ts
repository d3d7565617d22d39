/**
 * A disk that fills and empties (issue 11, points 2 and 7), over real HTTP with the real state
 * database under a wrapper that fails writes on a fixed schedule (deterministic, unlike a real
 * full disk):
 * - no delivery is ever signed with a secret whose rotation failed and was rolled back (2,544 were,
 *   before: attempts signed with whatever the store held, written or not);
 * - a change that is not written is not acknowledged, not kept, and logged without secrets;
 * - a reset is all or nothing (a failed one used to clear the fault rules and the journal, and not
 *   the state).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { createMockServer, type MockServer } from '../../mock/server';
import { createLogger } from '../../core/log';
import { verify } from '../../core/webhooks';
import { FaultyDatabase } from '../helpers/faulty-db';
import { call, expectEnvelope, waitFor } from '../helpers/http';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { endpointInDatabase } from '../helpers/state-db';

const fp = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

let dir: string;
let receiver: Receiver;
let mock: MockServer;
let url: string;
let faulty: FaultyDatabase;
const lines: string[] = [];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-disk-'));
  receiver = await startReceiver();
  lines.length = 0;
  mock = createMockServer({
    stateFile: path.join(dir, 'state.db'),
    webhookUrl: receiver.url,
    retrySchedule: [0],
    selfCheck: true,
    logger: createLogger('info', { write: (s: string) => lines.push(s) }, { write: () => true }),
    wrapStateDatabase: (db) => (faulty = new FaultyDatabase(db)),
  });
  url = await mock.listen();
});
afterEach(async () => {
  await mock.close();
  await receiver.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ownerOf = (org: number) => mock.seeded[org].apiKeys.find((k) => k.role === 'owner')!.key;

it('rotations and events while the disk fills and empties: 0 deliveries signed with a rolled-back secret', async () => {
  // Writes 0-3 succeed, 4-7 fail, 8-11 succeed, ... and each takes a few ms, so rotations pile up
  // behind a write that will fail while deliveries are being signed.
  faulty.failWhen = (n) => Math.floor(n / 4) % 2 === 1;
  faulty.delayMs = 3;
  const endpoints = [mock.seeded[0].endpoints[0], mock.seeded[1].endpoints[0]];
  // Every seeded endpoint receives the events; two of them are rotated.
  const initial = mock.seeded.flatMap((o) => o.endpoints.map((e) => e.secret));
  // Every secret the store ever applied (acknowledged or not), as the server made them.
  const applied = new Set<string>();
  const replace = mock.store.replaceSecret.bind(mock.store);
  mock.store.replaceSecret = (id, s, at) => {
    applied.add(s);
    replace(id, s, at);
  };
  const acknowledged = new Set<string>();
  let refused = 0;
  const pool = new Pool(url, { connections: 20 });
  try {
    const rotators = Array.from({ length: 20 }, async (_, lane) => {
      const org = lane % 2;
      for (let i = 0; i < 20; i++) {
        const res = await pool.request({
          method: 'POST',
          path: `/webhook/endpoints/${endpoints[org].id}/rotate-secret`,
          headers: { 'api-key': ownerOf(org) },
        });
        const body = (await res.body.json()) as any;
        if (res.statusCode === 200) acknowledged.add(body.secret);
        else if (res.statusCode === 500 && body.error.code === 'INTERNAL_ERROR') refused++;
        else throw new Error(`rotation answered ${res.statusCode}`);
      }
    });
    const emitter = (async () => {
      for (let i = 0; i < 60; i++) {
        const res = await pool.request({
          method: 'POST',
          path: '/__mock/events',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'kyc.result.approved' }),
        });
        await res.body.dump();
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await Promise.all([...rotators, emitter]);
  } finally {
    await pool.close();
    mock.store.replaceSecret = replace;
  }
  expect(faulty.failed).toBeGreaterThan(0);
  expect(refused).toBeGreaterThan(0);
  expect(acknowledged.size).toBeGreaterThan(0);
  const rolledBack = [...applied].filter((s) => !acknowledged.has(s));
  expect(rolledBack.length).toBe(refused);

  // Every delivery the receiver got, and every attempt journalled, was signed with a kept secret.
  const journal = (await call(url, 'GET', '/__mock/deliveries?limit=1000')).json.deliveries;
  await receiver.waitForCount(journal.length, 10_000);
  const kept = new Set([...initial, ...acknowledged]);
  const keptFingerprints = new Set([...kept].map(fp));
  const rolledBackFingerprints = new Set(rolledBack.map(fp));
  let signedWithRolledBack = 0;
  for (const d of journal)
    for (const a of d.attempts)
      if (rolledBackFingerprints.has(a.secret_fingerprint) || !keptFingerprints.has(a.secret_fingerprint))
        signedWithRolledBack++;
  for (const r of receiver.received) {
    const headers = r.headers as Record<string, string>;
    if (rolledBack.some((s) => verify(s, r.body, headers).ok)) signedWithRolledBack++;
    expect([...kept].some((s) => verify(s, r.body, headers).ok)).toBe(true);
  }
  expect(receiver.received.length).toBeGreaterThan(0);
  expect(signedWithRolledBack).toBe(0);
  // What is on disk is what the state shows: the last acknowledged secret of each endpoint.
  for (const e of endpoints) {
    const onDisk = endpointInDatabase(path.join(dir, 'state.db'), e.id)!;
    expect(onDisk.secret).toBe(mock.store.endpoint(e.id)!.secret);
    expect(kept.has(onDisk.secret)).toBe(true);
  }
}, 60_000);

it(
  'when the state cannot be written, no change is acknowledged or kept: 500 ' +
    'in the envelope, the state as before, the error logged without secrets',
  async () => {
    const before = (await call(url, 'GET', '/__mock/state')).json;
    faulty.failWhen = () => true;
    const id = mock.seeded[0].endpoints[0].id;
    const rotations = await Promise.all(
      Array.from({ length: 5 }, () =>
        call(url, 'POST', `/webhook/endpoints/${id}/rotate-secret`, { headers: { 'api-key': ownerOf(0) } }),
      ),
    );
    for (const res of rotations) {
      expectEnvelope(res, 500, 'INTERNAL_ERROR');
      expect(res.text).not.toMatch(/whsec_/);
    }
    expect((await call(url, 'GET', '/__mock/state')).json).toEqual(before);
    const created = await call(url, 'POST', '/webhook/endpoints', {
      headers: { 'api-key': ownerOf(0) },
      body: { url: 'https://e.example/h' },
    });
    expectEnvelope(created, 500, 'INTERNAL_ERROR');
    const minted = await call(url, 'POST', '/__mock/api-keys', { body: { role: 'owner' } });
    expectEnvelope(minted, 500, 'INTERNAL_ERROR');
    expect((await call(url, 'GET', '/__mock/state')).json).toEqual(before);
    // The disk empties: the next rotation is written and acknowledged.
    faulty.failWhen = () => false;
    const ok = await call(url, 'POST', `/webhook/endpoints/${id}/rotate-secret`, {
      headers: { 'api-key': ownerOf(0) },
    });
    expect(ok.status).toBe(200);
    expect(endpointInDatabase(path.join(dir, 'state.db'), id)!.secret).toBe(ok.json.secret);
    await waitFor(() => lines.join('').includes('the state could not be saved') || undefined);
    expect(lines.join('')).toMatch(/ENOSPC/);
    expect(lines.join('')).not.toMatch(/whsec_[A-Za-z0-9+/]/);
  },
);

it('a reset whose write fails changes nothing: state, journal and fault rules as before', async () => {
  const id = mock.seeded[0].endpoints[0].id;
  const rotated = await call(url, 'POST', `/webhook/endpoints/${id}/rotate-secret`, {
    headers: { 'api-key': ownerOf(0) },
  });
  expect(rotated.status).toBe(200);
  expect(
    (await call(url, 'POST', '/__mock/faults', { body: { operation_id: 'createWebhookEndpoint', latency_ms: 1 } }))
      .status,
  ).toBe(201);
  expect(
    (await call(url, 'POST', '/__mock/events', { body: { type: 'kyc.result.approved', endpoint_id: id } })).status,
  ).toBe(202);
  await receiver.waitForCount(1);
  const state = (await call(url, 'GET', '/__mock/state')).json;
  const journal = (await call(url, 'GET', '/__mock/deliveries')).json;
  const faults = (await call(url, 'GET', '/__mock/faults')).json;
  faulty.failWhen = () => true;
  const reset = await call(url, 'POST', '/__mock/reset');
  expectEnvelope(reset, 500, 'INTERNAL_ERROR');
  expect((await call(url, 'GET', '/__mock/state')).json).toEqual(state);
  expect((await call(url, 'GET', '/__mock/deliveries')).json).toEqual(journal);
  expect((await call(url, 'GET', '/__mock/faults')).json).toEqual(faults);
  expect(endpointInDatabase(path.join(dir, 'state.db'), id)!.secret).toBe(rotated.json.secret);
  // The acknowledged rotation still signs.
  expect(
    (await call(url, 'POST', '/__mock/events', { body: { type: 'kyc.result.approved', endpoint_id: id } })).status,
  ).toBe(202);
  const [, d] = await receiver.waitForCount(2);
  expect(verify(rotated.json.secret, d.body, d.headers as Record<string, string>).ok).toBe(true);
  // Once the disk works, the reset happens whole.
  faulty.failWhen = () => false;
  expect((await call(url, 'POST', '/__mock/reset')).status).toBe(200);
  expect((await call(url, 'GET', '/__mock/faults')).json.faults).toEqual([]);
  expect((await call(url, 'GET', '/__mock/deliveries')).json.deliveries).toEqual([]);
  expect(endpointInDatabase(path.join(dir, 'state.db'), id)!.secret).toBe(mock.seeded[0].endpoints[0].secret);
});

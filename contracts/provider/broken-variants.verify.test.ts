/**
 * Provider verification of the committed pacts fails against broken variants of the mock, each for
 * the interactions it should.
 */
import { PACTS_DIR } from '../../test/helpers/pact/pact-files';
import { verifyPacts } from '../../src/pact';
import { startVariant } from '../../test/helpers/broken-variants';

const ROTATED = "a request to rotate an endpoint's signing secret with an admin key";
const OWNER = "a request to rotate an endpoint's signing secret with an owner key";
const CREATED = 'a request to create a webhook endpoint with an admin key';
const MEMBER = 'a request to rotate a signing secret with a member key';
const CREATE_MEMBER = 'a request to create a webhook endpoint with a member key';
const NO_KEY = 'a request to rotate a signing secret without an api key';
const UNKNOWN_KEY = 'a request to rotate a signing secret with an unknown api key';
const UNKNOWN = 'a request to rotate the signing secret of an unknown endpoint';
const FOREIGN = "a request to rotate the signing secret of another organization's endpoint";
const INVALID = 'a request to create a webhook endpoint with an invalid url';

// Variants a pact can see: what one response looks like. Those about state across calls
// (e.g. the old secret still signing) are the verifier's job, not a contract's.
const CASES: [string, string[]][] = [
  ['member-may-rotate', [MEMBER]],
  ['permission-denied-is-403', [MEMBER, CREATE_MEMBER]],
  ['secret-without-prefix', [CREATED, ROTATED, OWNER]],
  ['secret-not-a-string', [ROTATED, OWNER]],
  ['missing-key-accepted', [NO_KEY]],
  // The member create states only the code it reads: a missing requestId is nothing to it.
  ['request-id-missing', [INVALID, MEMBER, NO_KEY, UNKNOWN_KEY, UNKNOWN, FOREIGN]],
  ['x-request-id-missing-on-success', [CREATED, ROTATED, OWNER]],
  ['success-as-text-plain', [CREATED, ROTATED, OWNER]],
  // Every documented case has an interaction that fails when a provider breaks it.
  ['owner-key-refused', [OWNER]],
  ['unknown-key-accepted', [UNKNOWN_KEY]],
  ['foreign-endpoint-rotatable', [FOREIGN]],
];

describe.each(CASES)('against the broken variant %s', (name, expected) => {
  it(`fails on exactly: ${expected.join('; ')}`, async () => {
    const v = await startVariant(name);
    try {
      const report = await verifyPacts({ providerBaseUrl: v.url, pacts: [PACTS_DIR], states: { mode: 'mock' } });
      expect(report.ok).toBe(false);
      expect(report.stateErrors).toEqual([]);
      expect(report.failures.map((f) => f.description).sort()).toEqual([...expected].sort());
      // The report names what is wrong without printing a secret, prefixed or not.
      const text = JSON.stringify(report);
      for (const e of v.mock.store.endpoints()) expect(text).not.toContain(e.secret.slice(6));
    } finally {
      await v.close();
    }
  });
});

it('passes against the correct mock started the same way', async () => {
  const v = await startVariant('correct');
  try {
    const report = await verifyPacts({ providerBaseUrl: v.url, pacts: [PACTS_DIR], states: { mode: 'mock' } });
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
  } finally {
    await v.close();
  }
});

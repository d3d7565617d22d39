import {
  apiKeyHint,
  hashApiKey,
  maskApiKey,
  newApiKey,
  newEndpointId,
  newEventId,
  randomAlphanumeric,
} from '../../mock/domain/ids';

describe('ids', () => {
  it('are [A-Za-z0-9] of the asked length, all different, across pool refills', () => {
    const ids = Array.from({ length: 20_000 }, () => randomAlphanumeric(24));
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('draw every character with about the same frequency (no modulo bias)', () => {
    const counts = new Map<string, number>();
    for (const c of randomAlphanumeric(124_000)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // 2,000 expected per character; a biased draw (b % 62 over all 256 byte values) gives the first 8 characters 2,258.
    for (const n of counts.values()) expect(Math.abs(n - 2000)).toBeLessThan(200);
  });

  it('have InkLink’s prefixes, and keys are shown only as a hint', () => {
    expect(newEndpointId()).toMatch(/^wh_end_[A-Za-z0-9]{24}$/);
    expect(newEventId()).toMatch(/^wh_evt_[A-Za-z0-9]{24}$/);
    const key = newApiKey();
    expect(key).toMatch(/^secret_live_[A-Za-z0-9]{32}$/);
    expect(maskApiKey(apiKeyHint(key))).toBe(`${key.slice(0, 16)}…`);
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
  });
});

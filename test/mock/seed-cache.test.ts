/** The build caches the default seed's state; it must be exactly what faker generates. */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULTS } from '../../mock/config';
import { generate, seedState } from '../../mock/domain/seed';

const cacheFile = path.join(__dirname, `../../dist/mock/domain/seed-${DEFAULTS.seed}.json`);

describe('the seed cache', () => {
  it('is written by the build for the default seed and equals a fresh faker generation', () => {
    expect(fs.existsSync(cacheFile)).toBe(true);
    expect(JSON.parse(fs.readFileSync(cacheFile, 'utf8'))).toEqual(JSON.parse(JSON.stringify(generate(DEFAULTS.seed))));
  });

  it('the built server reads it and serves the same state as one that generated it', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built module, not the source
    const built = require('../../dist/mock/domain/seed.js') as typeof import('../../mock/domain/seed');
    const url = 'http://127.0.0.1:3999/hooks';
    expect(built.seedState(DEFAULTS.seed, { webhookUrl: url })).toEqual(seedState(DEFAULTS.seed, { webhookUrl: url }));
    expect(built.seedState(DEFAULTS.seed, { webhookUrl: url }).snapshot.endpoints.every((e) => e.url === url)).toBe(
      true,
    );
  });
});

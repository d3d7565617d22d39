/**
 * docs/pact.md stays true: the client team's example runs as shown, every provider state is listed
 * with its parameters, and the way to refresh the committed pacts is given. (That every
 * pact-verify and pact-check flag is listed with its env var is checked with the other commands'
 * flags in test/docs/reference.test.ts.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROVIDER_STATES } from '../../src/pact/states/vocabulary';

const ROOT = path.join(__dirname, '../..');
const PAGE = fs.readFileSync(path.join(ROOT, 'docs/pact.md'), 'utf8');

/** Code with the import source and the pact directory made neutral (they differ by design). */
const neutral = (code: string) =>
  code
    .replace(/from '(inklink-mock|\.\.\/\.\.\/src)'/g, "from 'PACKAGE'")
    .replace(/dir: [^ }]+/g, 'dir: DIR')
    .trim();

describe('docs/pact.md', () => {
  it("shows the client team's example exactly as contracts/consumer/readme-example.pact.test.ts runs it", () => {
    const shown = /<!-- client-team-example: begin -->\n```ts\n([\s\S]*?)```\n<!-- client-team-example: end -->/.exec(PAGE)?.[1];
    const source = fs.readFileSync(path.join(ROOT, 'contracts/consumer/readme-example.pact.test.ts'), 'utf8');
    const ran = /\/\/ docs\/pact\.md example: begin\n([\s\S]*?)\/\/ docs\/pact\.md example: end/.exec(source)?.[1];
    expect(shown).toBeDefined();
    expect(ran).toBeDefined();
    expect(neutral(shown!)).toBe(neutral(ran!));
    expect(shown!.split('\n').filter((l) => l.trim()).length).toBeLessThanOrEqual(22);
  });

  it('lists every provider state of the vocabulary with its parameters', () => {
    for (const s of PROVIDER_STATES) {
      const row = PAGE.split('\n').find((l) => l.startsWith(`| \`${s.name}\` |`));
      expect(row).toBeDefined();
      for (const p of Object.keys(s.params)) expect(row).toContain(`\`${p}\``);
    }
  });

  it('says how to refresh the committed pacts', () => {
    expect(PAGE).toContain('PACT_UPDATE=1 npm test');
  });
});

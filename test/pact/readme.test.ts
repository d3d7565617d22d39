/**
 * docs/pact.md stays true: the client team's example runs as shown, every provider state is listed
 * with its parameters, every pact-verify and pact-check flag with its env var, and the way to
 * refresh the committed pacts is given.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROVIDER_STATES } from '../../src/pact/states/vocabulary';
import { PACT_VERIFY_OPTIONS } from '../../src/cli/pact-verify';
import { PACT_CHECK_OPTIONS } from '../../src/cli/pact-check';

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
    const shown = /<!-- client-team-example: begin -->\n```ts\n([\s\S]*?)```\n<!-- client-team-example: end -->/.exec(
      PAGE,
    )?.[1];
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

  it('documents every pact-verify and pact-check flag with its env var', () => {
    for (const o of [...PACT_VERIFY_OPTIONS, ...PACT_CHECK_OPTIONS].filter((x) => x.name !== 'help')) {
      const rows = PAGE.split('\n').filter((l) => l.startsWith(`| \`--${o.name}`));
      expect([o.name, rows.some((r) => r.includes(`\`${o.env}\``))]).toEqual([o.name, true]);
    }
  });

  it('says how to refresh the committed pacts', () => {
    expect(PAGE).toContain('PACT_UPDATE=1 npm test');
  });
});

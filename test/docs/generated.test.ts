/**
 * The generated tables of docs/ (test/helpers/docs/generated.ts) are what their sources say: a
 * committed page that differs from what `npm run docs:generate` writes fails here, naming the page.
 */
import fs from 'node:fs';
import path from 'node:path';
import { VARIANTS } from '../helpers/broken-variants';
import { GENERATED_TABLES, ROOT, generatedPages, withTable } from '../helpers/docs/generated';
import { runNode } from '../helpers/cli';

describe('the generated tables of docs/', () => {
  it('are committed as npm run docs:generate writes them', () => {
    for (const [page, text] of generatedPages()) {
      // The message to act on, not a diff of the whole page.
      const committed = fs.readFileSync(path.join(ROOT, page), 'utf8');
      expect([page, committed === text ? 'up to date' : 'differs: run npm run docs:generate']).toEqual([
        page,
        'up to date',
      ]);
    }
  });

  it("follow their source: a variant's outcome changed in the list changes the page", () => {
    const variant = VARIANTS['member-may-rotate'];
    const before = generatedPages().get('docs/verify-rules.md')!;
    const saved = variant.blocked;
    variant.blocked = ['refusal_order'];
    try {
      const after = generatedPages().get('docs/verify-rules.md')!;
      expect(after).not.toBe(before);
      const fails = variant.fails.map((c) => `\`${c}\``).join(', ');
      expect(after).toContain(
        `| \`member-may-rotate\` | the role check is missing on rotate | ${fails} | \`refusal_order\` |`,
      );
    } finally {
      variant.blocked = saved;
    }
  });

  it('refuse a page without the place of its table', () => {
    expect(() => withTable('# a page\n', GENERATED_TABLES[0])).toThrow(/has no place for the generated table "checks"/);
  });

  it('are what the script writes (--check finds nothing to rewrite)', async () => {
    const r = await runNode([path.join(ROOT, 'scripts/generate-docs.cjs'), '--check'], { cwd: ROOT });
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', '']);
  });
});

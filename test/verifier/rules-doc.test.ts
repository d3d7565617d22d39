/**
 * What docs/verify-rules.md is generated from stays true (test/docs/generated.test.ts holds the
 * page to it): every statement a check covers is quoted verbatim from its source and names a
 * variant that fails that check, every check covers at least one, every statement verify does not
 * check is quoted verbatim too, and every variant's outcome names only checks of verify
 * (variants-*.test.ts proves the outcomes against verify).
 */
import fs from 'node:fs';
import path from 'node:path';
import { CHECKS } from '../../src/verifier/checks';
import { VARIANTS } from '../helpers/broken-variants';

const root = path.join(__dirname, '../..');
const doc = fs.readFileSync(path.join(root, 'docs/verify-rules.md'), 'utf8');

/** The rows of the table under a heading: cells, trimmed, without the header and separator rows. */
function table(heading: string): string[][] {
  const start = doc.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`no section "${heading}"`);
  const end = doc.indexOf('\n## ', start + 1);
  const lines = doc
    .slice(start, end < 0 ? undefined : end)
    .split('\n')
    .filter((l) => l.startsWith('|'));
  return lines.slice(2).map((l) =>
    l
      .slice(1, -1)
      .split(' | ')
      .map((c) => c.trim()),
  );
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
const quoteOf = (cell: string) => {
  const m = /“(.+?)”/.exec(cell);
  if (!m) throw new Error(`no “quoted” statement in: ${cell}`);
  return m[1];
};

/** Every string of a JSON document, keys included. */
const strings = (v: unknown): string[] =>
  typeof v === 'string'
    ? [v]
    : Array.isArray(v)
      ? v.flatMap(strings)
      : v && typeof v === 'object'
        ? Object.entries(v).flatMap(([k, x]) => [k, ...strings(x)])
        : [];

const api = fs.readFileSync(path.join(root, 'test/fixtures/inklink-api.md'), 'utf8');
const docsDir = path.join(root, 'docs');
const sources: Record<string, (section?: string) => string> = {
  api: (section) => {
    // From the section's heading (`## 3.` or `### 2.1`) to the next heading of its level or above.
    const heading = new RegExp(`^(#{2,3}) ${section!.replace('.', '\\.')}\\.? `, 'm').exec(api);
    if (!heading) throw new Error(`no section ${section} in inklink-api.md`);
    const rest = api.slice(heading.index + heading[0].length);
    const next = new RegExp(`^#{2,${heading[1].length}} `, 'm').exec(rest);
    return rest.slice(0, next?.index);
  },
  seed: () => fs.readFileSync(path.join(root, 'test/fixtures/rotate-webhook-signing-secret.md'), 'utf8'),
  'openapi.json': () => strings(JSON.parse(fs.readFileSync(path.join(root, 'openapi.json'), 'utf8'))).join('\n'),
  README: () =>
    [
      fs.readFileSync(path.join(root, 'README.md'), 'utf8'),
      ...fs
        .readdirSync(docsDir)
        .filter((f) => f.endsWith('.md') && f !== 'verify-rules.md')
        .map((f) => fs.readFileSync(path.join(docsDir, f), 'utf8')),
    ].join('\n'),
};

function sourceText(source: string): string {
  const m = /^(api) §([\d.]+)$/.exec(source);
  if (m) return sources.api(m[2]);
  if (!sources[source]) throw new Error(`unknown source "${source}"`);
  return sources[source]();
}

/** Every statement a check covers, as [quote, source, check, variant]. */
const rules = CHECKS.flatMap((c) => c.covers.map((s) => [s.quote, s.source, c.name, s.variant] as const));
const notChecked = table('What verify does not check, and why').map(([statement, source]) => [
  quoteOf(statement),
  source,
]);

describe('docs/verify-rules.md', () => {
  it('quotes every statement verbatim from its source', () => {
    const missing = [...rules, ...notChecked].filter(
      ([quote, source]) => !squash(sourceText(source)).includes(squash(quote)),
    );
    expect(missing.map(([q, src]) => `${src}: ${q}`)).toEqual([]);
  });

  it('gives every statement a check covers a variant that fails that check', () => {
    for (const [quote, , check, variant] of rules)
      expect([quote, variant, VARIANTS[variant]?.fails.includes(check)]).toEqual([quote, variant, true]);
  });

  it('gives every check at least one documented rule', () => {
    expect(CHECKS.filter((c) => c.covers.length === 0).map((c) => c.name)).toEqual([]);
  });

  it("names only verify's checks in each variant's outcome, each once", () => {
    const names = new Set(CHECKS.map((c) => c.name));
    for (const [name, v] of Object.entries(VARIANTS)) {
      const outcome = [...v.fails, ...(v.blocked ?? []), ...(v.mayBlock ?? [])];
      expect([name, outcome.filter((c) => !names.has(c))]).toEqual([name, []]);
      expect([name, new Set(outcome).size]).toEqual([name, outcome.length]);
    }
  });

  it("keeps the fixture of InkLink's docs identical to the shared copy, where that copy is present", () => {
    const shared = [path.join(root, '../shared/inklink-api.md'), path.join(root, '../../shared/inklink-api.md')].find(
      (f) => fs.existsSync(f),
    );
    if (shared) expect(api).toBe(fs.readFileSync(shared, 'utf8'));
    expect(api).toMatch(/^# InkLink webhook API: the facts this project is built on/);
  });
});

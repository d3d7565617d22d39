/**
 * docs/verify-rules.md stays true: every statement is quoted verbatim from its source, every row's
 * check is one of verify's checks and its variant fails it, every check holds at least one rule, and
 * the variants table says exactly what each variant fails and blocks (variants-*.test.ts proves the
 * declarations against verify).
 */
import fs from 'node:fs';
import path from 'node:path';
import { CHECKS } from '../../src/verifier/run';
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
const code = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

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

const rules = table('The rules');
const notChecked = table('What verify does not check, and why');
const variants = table('The broken variants');

describe('docs/verify-rules.md', () => {
  it('quotes every statement verbatim from its source', () => {
    const missing = [...rules, ...notChecked].filter(
      ([statement, source]) => !squash(sourceText(source)).includes(squash(quoteOf(statement))),
    );
    expect(missing.map(([s, src]) => `${src}: ${s}`)).toEqual([]);
  });

  it("maps every rule to one of verify's checks and a variant that fails it", () => {
    const names = CHECKS.map((c) => c.name);
    for (const [statement, , check, variant] of rules) {
      const [c] = code(check);
      const [v] = code(variant);
      expect([statement, names.includes(c)]).toEqual([statement, true]);
      expect([statement, v, VARIANTS[v]?.fails.includes(c)]).toEqual([statement, v, true]);
    }
  });

  it('gives every check at least one documented rule', () => {
    const covered = new Set(rules.map(([, , check]) => code(check)[0]));
    expect(CHECKS.map((c) => c.name).filter((n) => !covered.has(n))).toEqual([]);
  });

  it('lists every variant once, with exactly what it fails and blocks (always, or at times)', () => {
    const listed = variants.map(([name, , fails, blocked = '']) => {
      const [always, atTimes = ''] = blocked.split('at times:');
      return [
        code(name)[0],
        { fails: code(fails).sort(), blocked: code(always).sort(), mayBlock: code(atTimes).sort() },
      ] as const;
    });
    expect(listed.map(([n]) => n).sort()).toEqual(Object.keys(VARIANTS).sort());
    for (const [name, said] of listed) {
      const { fails, blocked = [], mayBlock = [] } = VARIANTS[name];
      expect([name, said]).toEqual([
        name,
        { fails: [...fails].sort(), blocked: [...blocked].sort(), mayBlock: [...mayBlock].sort() },
      ]);
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

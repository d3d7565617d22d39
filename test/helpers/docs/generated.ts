/**
 * The tables of docs/ that are generated, never kept by hand: each lies between two HTML comments
 * that name it, and is rendered from the one place its facts live.
 * - docs/verify.md, `checks`: one row per check (its name, description and requirements), from
 *   src/verifier/checks/;
 * - docs/verify-rules.md, `rules`: one row per documented statement a check covers, from each
 *   check's `covers`;
 * - docs/verify-rules.md, `variants`: one row per broken variant (what is broken, what `verify`
 *   fails and blocks on it), from test/helpers/broken-variants.ts, the one outcome list.
 *
 * `npm run docs:generate` (scripts/generate-docs.cjs) rewrites them; test/docs/generated.test.ts
 * fails when a committed page differs from what this renders.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Requirement } from '../../../src/verifier/check';
import { CHECKS } from '../../../src/verifier/checks';
import { VARIANTS } from '../broken-variants';

export const ROOT = path.join(__dirname, '../../..');

export interface GeneratedTable {
  /** The page, relative to the repository. */
  page: string;
  name: string;
  /** Where its facts live: the comment above the table says so. */
  from: string;
  rows(): string[];
}

const code = (names: readonly string[]) => names.map((n) => `\`${n}\``).join(', ');

/** A table cell: a `|` in a text would end it. */
function cell(text: string): string {
  if (/\|/.test(text)) throw new Error(`a table cell cannot hold "|": ${text}`);
  return text;
}

const row = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;

/** How docs/verify.md says what a check needs. */
const NEEDS: Record<Requirement, string> = {
  trigger: 'Needs a trigger.',
  ownerKey: 'Needs `--owner-key`.',
  otherOrgKey: 'Needs `--other-org-key`.',
};

export const GENERATED_TABLES: readonly GeneratedTable[] = [
  {
    page: 'docs/verify.md',
    name: 'checks',
    from: "each check's file in src/verifier/checks/",
    rows: () => [
      '| Check | What it proves |',
      '|---|---|',
      ...CHECKS.map((c) =>
        row([`\`${c.name}\``, [c.description, ...(c.requires ?? []).map((r) => NEEDS[r])].join(' ')]),
      ),
    ],
  },
  {
    page: 'docs/verify-rules.md',
    name: 'rules',
    from: "each check's `covers` in src/verifier/checks/",
    rows: () => [
      '| Statement | Source | Check | Variant |',
      '|---|---|---|---|',
      ...CHECKS.flatMap((c) =>
        c.covers.map((s) =>
          row([`“${s.quote}”${s.note ? ` ${s.note}` : ''}`, s.source, `\`${c.name}\``, `\`${s.variant}\``]),
        ),
      ),
    ],
  },
  {
    page: 'docs/verify-rules.md',
    name: 'variants',
    from: 'test/helpers/broken-variants.ts',
    rows: () => [
      '| Variant | What is broken | Fails | Blocked |',
      '|---|---|---|---|',
      ...Object.entries(VARIANTS).map(([name, v]) => {
        const blocked = [
          ...(v.blocked?.length ? [code(v.blocked)] : []),
          ...(v.mayBlock?.length ? [`at times: ${code(v.mayBlock)}`] : []),
        ].join('; ');
        return row([`\`${name}\``, v.description, code(v.fails), blocked]).replace(/ {2}\|$/, ' |');
      }),
    ],
  },
];

const begin = (t: GeneratedTable) =>
  `<!-- generated: ${t.name} (npm run docs:generate, from ${t.from}); edit the source, not this table -->`;
const end = (t: GeneratedTable) => `<!-- end generated: ${t.name} -->`;

/** The page's text with the table rendered afresh between its comments. */
export function withTable(text: string, t: GeneratedTable): string {
  const startTag = text.indexOf(`<!-- generated: ${t.name} `);
  const endTag = text.indexOf(end(t));
  if (startTag < 0 || endTag < startTag)
    throw new Error(`${t.page} has no place for the generated table "${t.name}" (${begin(t)} … ${end(t)})`);
  return `${text.slice(0, startTag)}${[begin(t), ...t.rows()].join('\n')}\n${text.slice(endTag)}`;
}

/** Every page that holds a generated table, as it should read: page -> text. */
export function generatedPages(root = ROOT): Map<string, string> {
  const pages = new Map<string, string>();
  for (const t of GENERATED_TABLES) {
    const text = pages.get(t.page) ?? fs.readFileSync(path.join(root, t.page), 'utf8');
    pages.set(t.page, withTable(text, t));
  }
  return pages;
}

/**
 * The README and docs/*.md as the samples test reads them: fenced code blocks with the `sample:`
 * directives written in HTML comments on the lines right above their fence, and the commands of
 * the CLI a shell text invokes, with their flags.
 *
 * Directives (one per comment, any number of comments above a fence):
 * - `<!-- sample: not run: REASON -->`: the block is not run here, for REASON (it is still parsed,
 *   type-checked or flag-checked as its language allows);
 * - `<!-- sample: run by PATH -->`: a test file runs exactly this code (and says so itself);
 * - `<!-- sample: file NAME -->`: a JSON block is written to NAME in the page's working directory;
 * - `<!-- sample: with NAME = PATH -->`: the repository's PATH is copied to NAME before the block;
 * - `<!-- sample: output of: COMMAND -->`: a text block is what COMMAND prints (`…` stands for any
 *   text, port 4010 for any port).
 */
import fs from 'node:fs';
import path from 'node:path';
import { SERVE_OPTIONS } from '../../../src/cli/serve';
import { VERIFY_OPTIONS } from '../../../src/cli/verify';
import { VALIDATE_OPTIONS } from '../../../src/cli/validate';
import { PACT_VERIFY_OPTIONS } from '../../../src/cli/pact-verify';
import { PACT_CHECK_OPTIONS } from '../../../src/cli/pact-check';
import { PROXY_OPTIONS } from '../../../src/cli/proxy';
import { CHECK_RECEIVER_OPTIONS } from '../../../src/cli/check-receiver';
import { SIGN_OPTIONS } from '../../../src/cli/sign';
import { VERIFY_SIGNATURE_OPTIONS } from '../../../src/cli/verify-signature';
import { VECTORS_OPTIONS } from '../../../src/cli/vectors';
import { TRIGGER_OPTIONS } from '../../../src/cli/trigger';
import { DELIVERIES_OPTIONS } from '../../../src/cli/deliveries';
import type { OptionSpec } from '../../../src/cli/options';

export const ROOT = path.join(__dirname, '../../..');

/** The pages whose samples are run: the README and every page of docs/. */
export function docPages(): string[] {
  const docs = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

export const readPage = (page: string) => fs.readFileSync(path.join(ROOT, page), 'utf8');

export type Directive =
  | { kind: 'not run'; reason: string }
  | { kind: 'run by'; file: string }
  | { kind: 'file'; name: string }
  | { kind: 'with'; name: string; from: string }
  | { kind: 'output of'; command: string };

export interface Block {
  page: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  directives: Directive[];
}

function parseDirective(text: string, where: string): Directive {
  const patterns: [RegExp, (m: RegExpExecArray) => Directive][] = [
    [/^not run: (\S.*)$/, (m) => ({ kind: 'not run', reason: m[1] })],
    [/^run by (\S+)$/, (m) => ({ kind: 'run by', file: m[1] })],
    [/^file (\S+)$/, (m) => ({ kind: 'file', name: m[1] })],
    [/^with (\S+) = (\S+)$/, (m) => ({ kind: 'with', name: m[1], from: m[2] })],
    [/^output of: (\S.*)$/, (m) => ({ kind: 'output of', command: m[1] })],
  ];
  for (const [re, make] of patterns) {
    const m = re.exec(text);
    if (m) return make(m);
  }
  throw new Error(`${where}: unknown sample directive "${text}"`);
}

/** Every fenced code block of a page, with the directives above it. */
export function codeBlocks(page: string, text = readPage(page)): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l === '```');
    if (end < 0) throw new Error(`${page}:${i + 1}: unclosed code fence`);
    const directives: Directive[] = [];
    for (let j = i - 1; j >= 0 && /^<!--.*-->$/.test(lines[j]); j--) {
      const d = /^<!-- sample: (.*) -->$/.exec(lines[j]);
      if (d) directives.unshift(parseDirective(d[1], `${page}:${j + 1}`));
    }
    blocks.push({ page, line: i + 1, lang: open[1], code: lines.slice(i + 1, end).join('\n'), directives });
    i = end;
  }
  return blocks;
}

export const directive = <K extends Directive['kind']>(b: Block, kind: K) =>
  b.directives.find((d): d is Extract<Directive, { kind: K }> => d.kind === kind);

/** The commands of the CLI and their option tables (src/cli/*.ts). */
export const COMMAND_OPTIONS: Record<string, OptionSpec[]> = {
  serve: SERVE_OPTIONS,
  verify: VERIFY_OPTIONS,
  validate: VALIDATE_OPTIONS,
  'pact-verify': PACT_VERIFY_OPTIONS,
  'pact-check': PACT_CHECK_OPTIONS,
  proxy: PROXY_OPTIONS,
  'check-receiver': CHECK_RECEIVER_OPTIONS,
  sign: SIGN_OPTIONS,
  'verify-signature': VERIFY_SIGNATURE_OPTIONS,
  vectors: VECTORS_OPTIONS,
  trigger: TRIGGER_OPTIONS,
  deliveries: DELIVERIES_OPTIONS,
};

/** Every env var any command reads. */
export const KNOWN_ENV = new Set(
  Object.values(COMMAND_OPTIONS).flatMap((specs) => specs.flatMap((s) => (s.env ? [s.env] : []))),
);

/** A shell text's logical lines: continuations joined, each with its trailing `# → …` note apart. */
export function logicalLines(shell: string): { command: string; note?: string }[] {
  return shell
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => {
      const m = /^(.*?)\s+# → (.*)$/.exec(l);
      return m ? { command: m[1].trim(), note: m[2].trim() } : { command: l.replace(/(^|\s)#.*$/, '').trim() };
    })
    .filter((l) => l.command !== '');
}

/** Splits a command line into words (quotes removed; enough for the flags the docs show). */
export function words(command: string): string[] {
  const out: string[] = [];
  const re = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const m of command.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

export interface CliUse {
  command: string;
  flags: string[];
}

/**
 * Every use of the CLI in a shell text: `inklink-mock CMD …` (also through npx) and `npm start -- …`
 * (which is `serve`), up to the end of its command (`&&`, `||`, `|`, `;`).
 */
export function cliUses(shell: string): CliUse[] {
  const uses: CliUse[] = [];
  for (const { command } of logicalLines(shell)) {
    for (const part of command.split(/&&|\|\||[|;]/)) {
      const w = words(part.trim());
      let at = w.indexOf('inklink-mock');
      let name: string | undefined;
      if (at >= 0) name = w[at + 1];
      else if (w[0] === 'npm' && w[1] === 'start') {
        name = 'serve';
        at = 0;
      }
      if (name === undefined) continue;
      uses.push({
        command: name,
        flags: w
          .slice(at + 2)
          .filter((x) => x.startsWith('--') && x !== '--')
          .map((x) => x.slice(2).split('=')[0]),
      });
    }
  }
  return uses;
}

/** What is wrong with the CLI uses, npm scripts and env vars of a shell text (empty: nothing). */
export function shellProblems(shell: string, scripts: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const use of cliUses(shell)) {
    const specs = COMMAND_OPTIONS[use.command];
    if (!specs) {
      problems.push(`unknown command "inklink-mock ${use.command}"`);
      continue;
    }
    for (const f of use.flags)
      if (!specs.some((s) => s.name === f)) problems.push(`inklink-mock ${use.command} has no flag --${f}`);
  }
  for (const m of shell.matchAll(/\bnpm run ([\w:-]+)/g))
    if (!scripts[m[1]]) problems.push(`package.json has no script "${m[1]}"`);
  for (const m of shell.matchAll(/\b(INKLINK_[A-Z_]+)=/g))
    if (!KNOWN_ENV.has(m[1])) problems.push(`no command reads ${m[1]}`);
  return problems;
}

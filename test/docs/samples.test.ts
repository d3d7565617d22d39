/**
 * Every code sample of README.md and docs/*.md is run, or says why not (see markdown.ts for the
 * directives). Per page, in order, in a working directory of its own (with the repository's
 * `contracts/` and `openapi.json`), against a mock on the default seed (42) that is reset before
 * each sample:
 * - sh: run in bash (see shell.ts); every use must succeed or answer what its `# → …` note says
 *   (`# → 401 UNAUTHORIZED`, `# → 200 {"secret"}`, `# → 503, a plain-text body`, `# → exit 2: text`);
 *   every CLI flag, npm script and env var it names must exist, also in samples that are not run;
 * - ts: run unless marked, its `console.log` lines printing what their `// → …` notes say (every
 *   ts block, marked or not, is type-checked by types.test.ts);
 * - json: parsed; a state file is checked as the mock would load it; `file NAME` writes it;
 * - yaml (GitHub Actions): parsed, and the flags and env vars of its `inklink-mock` steps exist;
 * - text: what its `output of:` command prints.
 * A block of another kind, or one it cannot run and that is not marked, fails. Two pages run at a
 * time, each with a mock of its own.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { parseSnapshot } from '../../mock/domain/snapshot';
import { runNode } from '../helpers/cli';
import { startMockWithReceiver, type TestMock } from '../helpers/mock';
import {
  codeBlocks,
  COMMAND_OPTIONS,
  cliUses,
  directive,
  docPages,
  logicalLines,
  ROOT,
  shellProblems,
  type Block,
} from '../helpers/docs/markdown';
import { runShell, type ShellRun, type Use } from '../helpers/docs/shell';
import { printedNotes, toScript } from '../helpers/docs/typescript';

const scriptsOf = (dir: string): Record<string, string> =>
  JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')).scripts;
/** The npm scripts a sample may run: this package's, and the starter project's (examples/client-team). */
const SCRIPTS: Record<string, string> = { ...scriptsOf('examples/client-team'), ...scriptsOf('.') };
const pages = docPages();
const blocks = pages.flatMap((p) => codeBlocks(p));
const nameOf = (b: Block) => `${b.page}:${b.line}`;
const isShell = (b: Block) => ['sh', 'bash', 'shell'].includes(b.lang);

/** The mock a page's samples talk to (as port 4010), and the page's working directory. */
interface Context {
  m: TestMock;
  port: number;
  dir: string;
}

async function openContext(): Promise<Context & { close: () => Promise<void> }> {
  const { m, close } = await startMockWithReceiver();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-docs-'));
  for (const entry of ['contracts', 'openapi.json']) fs.symlinkSync(path.join(ROOT, entry), path.join(dir, entry));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules/inklink-mock'));
  return {
    m,
    port: Number(new URL(m.url).port),
    dir,
    close: async () => {
      await close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function prepare(b: Block, ctx: Context): Promise<void> {
  for (const d of b.directives)
    if (d.kind === 'with') fs.copyFileSync(path.join(ROOT, d.from), path.join(ctx.dir, d.name));
  const res = await fetch(`${ctx.m.url}/__mock/reset`, { method: 'POST' });
  expect(res.status).toBe(200);
}

/** A `# → …` note: an HTTP status (and error code, keys, plain text) or an exit status (and text). */
function checkUse(use: Use, note: string | undefined, where: string): void {
  const context = `${where}: ${use.kind} printed:\n${use.output}`;
  if (use.kind === 'serve') {
    expect([context, use.output.includes('listening on') && !use.output.includes('@@serve-failed')]).toEqual([
      context,
      true,
    ]);
    return;
  }
  if (use.kind === 'cli') {
    const m = note ? /^exit (\d+)(?::\s*(.*))?$/.exec(note) : null;
    if (note && !m) throw new Error(`${where}: a CLI note must read "exit N[: text]", not "${note}"`);
    expect([context, use.exit]).toEqual([context, m ? Number(m[1]) : 0]);
    if (m?.[2]) expect([context, use.output.includes(m[2])]).toEqual([context, true]);
    return;
  }
  expect([context, use.exit]).toEqual([context, 0]);
  const m = note ? /^(\d{3})\b,?\s*(.*)$/.exec(note) : null;
  if (note && !m) throw new Error(`${where}: a curl note must start with the status, not "${note}"`);
  if (m) expect([context, use.status]).toEqual([context, Number(m[1])]);
  else expect([context, use.status! >= 200 && use.status! < 300]).toEqual([context, true]);
  const rest = m?.[2] ?? '';
  if (/plain-text/.test(rest)) return;
  const body = JSON.parse(use.output);
  const code = /^([A-Z][A-Z_]+)\b/.exec(rest)?.[1];
  if (code) expect([context, body.error?.code]).toEqual([context, code]);
  for (const k of rest.matchAll(/"(\w+)"\s*[:,}]/g)) expect([context, k[1] in body]).toEqual([context, true]);
}

function checkShellRun(b: Block, run: ShellRun): void {
  const where = `${nameOf(b)}, which printed:\n${run.all}\n${run.stderr}`;
  expect([where, run.code]).toEqual([where, 0]);
  const invoking = logicalLines(b.code).filter((l) =>
    /(^|[|;&]\s*)(\w+=\S*\s+)*(curl|npx inklink-mock|inklink-mock|npm start)\b/.test(l.command),
  );
  expect([where, run.uses.length]).toEqual([where, invoking.length]);
  run.uses.forEach((use, i) => checkUse(use, invoking[i].note, `${nameOf(b)} (${invoking[i].command.slice(0, 60)}…)`));
  for (const use of run.uses) {
    if (use.kind === 'cli' && /--json\b|--format json/.test(invoking[run.uses.indexOf(use)].command))
      expect(() => JSON.parse(use.output)).not.toThrow();
  }
  expect([where, run.servedExits.every((c) => c === 0)]).toEqual([where, true]);
}

/** Lines of `expected` (… is any text, 4010 any port) found in `actual`, in order; the first missing one. */
function missingLine(expected: string, actual: string): string | undefined {
  const lines = actual.split('\n');
  let at = 0;
  for (const want of expected.split('\n').filter((l) => l.trim())) {
    const re = new RegExp(
      `^${want
        .split('…')
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/4010/g, '\\d+'))
        .join('.*')}$`,
    );
    const found = lines.findIndex((l, i) => i >= at && re.test(l));
    if (found < 0) return want;
    at = found + 1;
  }
  return undefined;
}

async function runBlock(b: Block, ctx: Context): Promise<void> {
  const where = nameOf(b);
  const notRun = directive(b, 'not run');
  const runBy = directive(b, 'run by');
  if (runBy) {
    expect([where, runBy.file, fs.existsSync(path.join(ROOT, runBy.file)) && /\.test\.ts$/.test(runBy.file)]).toEqual([
      where,
      runBy.file,
      true,
    ]);
    expect([where, fs.readFileSync(path.join(ROOT, runBy.file), 'utf8').includes(b.page)]).toEqual([where, true]);
  }
  if (isShell(b)) {
    expect([where, shellProblems(b.code, SCRIPTS)]).toEqual([where, []]);
    if (notRun || runBy) return;
    await prepare(b, ctx);
    checkShellRun(b, await runShell(b.code, { cwd: ctx.dir, mockPort: ctx.port }));
  } else if (b.lang === 'ts') {
    if (notRun || runBy) return;
    await prepare(b, ctx);
    const file = path.join(ctx.dir, `sample-${b.line}.cjs`);
    fs.writeFileSync(file, toScript(b.code.replace(/:4010\b/g, `:${ctx.port}`)));
    const r = await runNode([file], { cwd: ctx.dir });
    expect([where, r.code, r.stderr]).toEqual([where, 0, '']);
    expect([where, r.stdout.trimEnd().split('\n').filter(Boolean)]).toEqual([where, printedNotes(b.code)]);
  } else if (b.lang === 'json') {
    const doc = JSON.parse(b.code);
    if (doc?.format === 'inklink-mock-state') {
      const problems: string[] = [];
      expect([where, parseSnapshot(doc, problems) !== undefined, problems]).toEqual([where, true, []]);
    }
    const file = directive(b, 'file');
    if (file) fs.writeFileSync(path.join(ctx.dir, file.name), b.code);
  } else if (b.lang === 'yaml') {
    expect([where, notRun !== undefined]).toEqual([where, true]);
    checkWorkflow(where, yaml.load(b.code));
  } else if (b.lang === 'text') {
    const output = directive(b, 'output of');
    if (!output) {
      expect([where, notRun !== undefined]).toEqual([where, true]);
      return;
    }
    await prepare(b, ctx);
    const run = await runShell(output.command, { cwd: ctx.dir, mockPort: ctx.port });
    expect([where, run.code, missingLine(b.code, run.all), run.stderr]).toEqual([where, 0, undefined, run.stderr]);
  } else {
    throw new Error(
      `${where}: a \`\`\`${b.lang || '(no language)'} block: the samples test does not know how to check it`,
    );
  }
}

/** A GitHub Actions job: every `inklink-mock` step uses known flags, and sets env vars its command reads. */
function checkWorkflow(where: string, doc: unknown): void {
  const steps = Object.values(
    (doc as { jobs: Record<string, { steps: { run?: string; env?: Record<string, unknown> }[] }> }).jobs,
  ).flatMap((j) => j.steps);
  const runs = steps.filter((s) => s.run);
  expect([where, runs.length > 0]).toEqual([where, true]);
  for (const step of runs) {
    expect([where, shellProblems(step.run!, SCRIPTS)]).toEqual([where, []]);
    const uses = cliUses(step.run!);
    const read = new Set(uses.flatMap((u) => COMMAND_OPTIONS[u.command].flatMap((s) => (s.env ? [s.env] : []))));
    const unread = Object.keys(step.env ?? {}).filter((k) => k.startsWith('INKLINK_') && !read.has(k));
    expect([where, step.run, unread]).toEqual([where, step.run, []]);
  }
}

/** Each block's outcome; pages run two at a time, a page's blocks in order (later ones use earlier files). */
const outcomes = new Map<Block, Promise<void>>();
const PAGES_AT_ONCE = 2;
const runners: Promise<void>[] = [];

beforeAll(() => {
  const settle = new Map(blocks.map((b) => [b, {} as { resolve: () => void; reject: (e: unknown) => void }]));
  for (const b of blocks) {
    const p = new Promise<void>((resolve, reject) => Object.assign(settle.get(b)!, { resolve, reject }));
    p.catch(() => undefined); // reported by the block's own test
    outcomes.set(b, p);
  }
  const queue = [...pages];
  const runner = async () => {
    for (let page = queue.shift(); page !== undefined; page = queue.shift()) {
      const own = blocks.filter((x) => x.page === page);
      let ctx: Awaited<ReturnType<typeof openContext>> | undefined;
      try {
        ctx = await openContext();
        for (const b of own) await runBlock(b, ctx).then(settle.get(b)!.resolve, settle.get(b)!.reject);
      } catch (e) {
        for (const b of own) settle.get(b)!.reject(e);
      } finally {
        await ctx?.close();
      }
    }
  };
  for (let i = 0; i < PAGES_AT_ONCE; i++) runners.push(runner());
});

afterAll(() => Promise.all(runners));

describe.each(pages)('%s', (page) => {
  const own = blocks.filter((b) => b.page === page);
  if (own.length === 0) {
    it('has no code samples', () => expect(own).toEqual([]));
    return;
  }
  it.each(own.map((b) => [`${b.lang} at line ${b.line}`, b] as const))('%s', (_label, b) => outcomes.get(b)!, 120000);
});

describe('the samples test', () => {
  let ctx: Awaited<ReturnType<typeof openContext>>;
  beforeAll(async () => {
    ctx = await openContext();
  });
  afterAll(() => ctx?.close());

  it('fails on a block it cannot run that is not marked', async () => {
    const [unmarked] = codeBlocks('x.md', 'text\n\n```text\nsome output\n```\n');
    await expect(runBlock(unmarked, ctx)).rejects.toThrow();
    const [unknown] = codeBlocks('x.md', '```python\nprint(1)\n```\n');
    await expect(runBlock(unknown, ctx)).rejects.toThrow(/does not know how to check it/);
  });

  it('fails on a flag, a command or an env var the CLI does not have', () => {
    expect(shellProblems('npx inklink-mock serve --prot 4010', SCRIPTS)).toEqual([
      'inklink-mock serve has no flag --prot',
    ]);
    expect(shellProblems('inklink-mock serv', SCRIPTS)).toEqual(['unknown command "inklink-mock serv"']);
    expect(shellProblems('INKLINK_MOCK_PROT=1 npm run benhc', SCRIPTS)).toEqual([
      'package.json has no script "benhc"',
      'no command reads INKLINK_MOCK_PROT',
    ]);
  });

  it('fails when an answer is not what the note says', async () => {
    const block = (code: string): Block => ({ page: 'x.md', line: 1, lang: 'sh', code, directives: [] });
    const code = 'curl -s -XPOST localhost:4010/webhook/endpoints/wh_end_x/rotate-secret   # → 500 INTERNAL_ERROR';
    const run = await runShell(code, { cwd: ctx.dir, mockPort: ctx.port });
    expect(() => checkShellRun(block(code), run)).toThrow();
    expect(() => checkShellRun(block(code.replace('500 INTERNAL_ERROR', '401 UNAUTHORIZED')), run)).not.toThrow();
  });

  it('fails when a served mock does not start', async () => {
    const code = 'npx inklink-mock serve --seed many';
    const run = await runShell(code, { cwd: ctx.dir, mockPort: ctx.port });
    expect(run.uses.map((u) => u.kind)).toEqual(['serve']);
    expect(() => checkShellRun({ page: 'x.md', line: 1, lang: 'sh', code, directives: [] }, run)).toThrow();
  });
});

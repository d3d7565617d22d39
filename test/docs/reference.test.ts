/**
 * The docs are the reference: every flag and env var of every command, every control-API
 * operation and every verify check is documented in its page (once), no page documents a flag that
 * does not exist, every link between the pages resolves, and the README stays a short tour.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CHECK_INFO } from '../../src/verifier/run';
import { codeBlocks, COMMAND_OPTIONS, docPages, readPage, ROOT, shellProblems } from '../helpers/docs/markdown';

/** The pages that document each command's flags (a flag has its one row in one of them). */
const PAGES_OF: Record<string, string[]> = {
  serve: ['docs/mock.md', 'docs/state-file.md'],
  verify: ['docs/verify.md'],
  validate: ['docs/validate.md'],
  'pact-verify': ['docs/pact.md'],
  'pact-check': ['docs/pact.md'],
  proxy: ['docs/proxy.md'],
  'check-receiver': ['docs/check-receiver.md'],
  sign: ['docs/cli.md'],
  'verify-signature': ['docs/cli.md'],
  vectors: ['docs/cli.md'],
  trigger: ['docs/mock.md'],
  deliveries: ['docs/mock.md'],
};

const flagRows = (page: string) =>
  readPage(page)
    .split('\n')
    .filter((l) => l.startsWith('| `--'));

/**
 * The control API's operations as `METHOD /path`, with their query parameters
 * (mock/control-api.json dispatches every one).
 */
function controlOperations(): { route: string; query: string[] }[] {
  const controlApi = JSON.parse(fs.readFileSync(path.join(ROOT, 'mock/control-api.json'), 'utf8'));
  return Object.entries<Record<string, any>>(controlApi.paths).flatMap(([p, ops]) =>
    Object.keys(ops)
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map((m) => ({
        route: `${m.toUpperCase()} ${p}`,
        query: (ops[m].parameters ?? []).filter((x: any) => x.in === 'query').map((x: any) => x.name),
      })),
  );
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/**
 * The env vars src/ and mock/ read outside the option tables: `env.NAME`, `env['NAME']`, and in a
 * file that indexes `process.env` with a variable, every env-shaped string constant in it.
 */
function envVarsRead(): string[] {
  const names = new Set<string>();
  for (const file of [...sourceFiles(path.join(ROOT, 'src')), ...sourceFiles(path.join(ROOT, 'mock'))]) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\benv\??\.([A-Z][A-Z0-9_]*)/g)) names.add(m[1]);
    for (const m of text.matchAll(/\benv\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g)) names.add(m[1]);
    if (/process\.env\[\s*[^'"\s]/.test(text)) {
      const constants = [...text.matchAll(/['"]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)['"]/g)].map((m) => m[1]);
      expect([path.relative(ROOT, file), constants.length > 0]).toEqual([path.relative(ROOT, file), true]);
      for (const c of constants) names.add(c);
    }
  }
  return [...names].sort();
}

describe('the reference pages', () => {
  it.each(Object.keys(COMMAND_OPTIONS))('%s: every flag has one row in its page, with its env var', (command) => {
    const rows = PAGES_OF[command].flatMap(flagRows);
    for (const o of COMMAND_OPTIONS[command].filter((x) => x.name !== 'help')) {
      const own = rows.filter((r) => new RegExp(`^\\| \`--${o.name}[ \`=]`).test(r));
      expect([o.name, own.length]).toEqual([o.name, 1]);
      if (o.env) expect([o.name, own[0].includes(`\`${o.env}\``)]).toEqual([o.name, true]);
    }
  });

  it('documents no flag a command does not have', () => {
    for (const page of new Set(Object.values(PAGES_OF).flat())) {
      const known = Object.keys(PAGES_OF)
        .filter((c) => PAGES_OF[c].includes(page))
        .flatMap((c) => COMMAND_OPTIONS[c].map((o) => o.name));
      for (const row of flagRows(page)) {
        const name = /^\| `--([\w-]+)/.exec(row)![1];
        expect([page, name, known.includes(name)]).toEqual([page, name, true]);
      }
    }
  });

  it('says that --help lists the flags', () => {
    expect(readPage('README.md')).toContain('--help');
  });

  it(
    'docs/mock.md has one row per control-API operation (the routes the mock ' +
      'dispatches), with its query parameters, and none for a route it lacks',
    () => {
      const operations = controlOperations();
      const rows = readPage('docs/mock.md')
        .split('\n')
        .filter((l) => /^\| `[A-Z]+ \/__mock/.test(l))
        .map((l) => /^\| `([A-Z]+) ([^?`]+)(?:\?([^`]*))?`/.exec(l)!);
      const documented = rows.map((m) => `${m[1]} ${m[2]}`);
      expect(documented.sort()).toEqual(operations.map((o) => o.route).sort());
      for (const m of rows) {
        const query = m[3] === undefined ? [] : m[3].split('&').map((q) => q.replace(/=.*$/, ''));
        const op = operations.find((o) => o.route === `${m[1]} ${m[2]}`)!;
        expect([op.route, query.sort()]).toEqual([op.route, op.query.sort()]);
      }
    },
  );

  it('every env var the code reads is documented, options or not', () => {
    const read = envVarsRead();
    // What the extraction finds beside the option tables today (so it cannot silently find nothing).
    expect(read).toEqual(expect.arrayContaining(['NO_COLOR', 'PACT_DO_NOT_TRACK']));
    const docs = docPages().map(readPage).join('\n');
    const known = new Set(
      Object.values(COMMAND_OPTIONS).flatMap((specs) => specs.flatMap((s) => (s.env ? [s.env] : []))),
    );
    for (const name of [...known, ...read])
      expect([name, new RegExp(`\`${name}[\`=]`).test(docs)]).toEqual([name, true]);
  });

  it('docs/verify.md describes every check', () => {
    const page = readPage('docs/verify.md');
    for (const c of CHECK_INFO) expect([c.name, page.includes(`\`${c.name}\``)]).toEqual([c.name, true]);
  });
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

/** The starter project's README: a page client teams read first, outside docs/. */
const STARTER_README = 'examples/client-team/README.md';

describe('links', () => {
  it.each([...docPages(), STARTER_README])('every relative link of %s resolves, anchors included', (page) => {
    const text = readPage(page).replace(/```[\s\S]*?```/g, '');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/.test(target)) continue;
      const [file, anchor] = target.split('#');
      const resolved = file ? path.join(path.dirname(path.join(ROOT, page)), file) : path.join(ROOT, page);
      expect([page, target, fs.existsSync(resolved)]).toEqual([page, target, true]);
      if (!anchor) continue;
      const headings = fs
        .readFileSync(resolved, 'utf8')
        .replace(/```[\s\S]*?```/g, '')
        .split('\n')
        .filter((l) => /^#{1,6} /.test(l))
        .map((l) => slug(l.replace(/^#+ /, '')));
      expect([page, target, headings.includes(anchor)]).toEqual([page, target, true]);
    }
  });
});

describe('README', () => {
  it('fits on a screen or two (under 300 lines) and keeps the two commands', () => {
    const readme = readPage('README.md');
    expect(readme.split('\n').length).toBeLessThan(300);
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });

  it('links every page of docs/', () => {
    const readme = readPage('README.md');
    for (const page of docPages().filter((p) => p !== 'README.md'))
      expect([page, readme.includes(`](${page})`)]).toEqual([page, true]);
  });
});

describe('the starter project (examples/client-team)', () => {
  const testFiles = fs.readdirSync(path.join(ROOT, 'examples/client-team/test')).filter((f) => f.endsWith('.ts'));

  it.each([STARTER_README, 'docs/package.md'])('%s names every test file of the starter', (page) => {
    const text = readPage(page);
    for (const f of testFiles) expect([page, f, text.includes(`test/${f}`)]).toEqual([page, f, true]);
  });

  it("its README's commands use the starter's scripts and the CLI's flags", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/client-team/package.json'), 'utf8')).scripts;
    const shell = codeBlocks(STARTER_README).filter((b) => b.lang === 'sh');
    expect(shell.length).toBeGreaterThan(0);
    for (const b of shell) expect([b.line, shellProblems(b.code, scripts)]).toEqual([b.line, []]);
    for (const m of readPage(STARTER_README).matchAll(/`(npx inklink-mock [^`]+)`/g))
      expect([m[1], shellProblems(m[1], scripts)]).toEqual([m[1], []]);
    for (const m of readPage(STARTER_README).matchAll(/`npm run ([\w:-]+)`|^npm run ([\w:-]+)/gm))
      expect([m[0], scripts[m[1] ?? m[2]] !== undefined]).toEqual([m[0], true]);
  });
});

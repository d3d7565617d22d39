/**
 * The rules that hold the design together, checked on the source: every import points down the
 * layers (the core below everything; the mock, the verifier, the validating proxy, the client and
 * the Pact helpers on it; the CLI and the package's entry points on top), the verifier never
 * reaches the mock (not even transitively), the mock's domain knows no HTTP library, openapi.json
 * is read through one module only, and docs/architecture.md names every part of the layout (and
 * nothing that is gone).
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..');

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  const forms = [
    /(?:import|export)\s[^'"]*?\sfrom\s+['"]([^'"]+)['"]/g, // import x from '…', export { x } from '…'
    /import\s+['"]([^'"]+)['"]/g, // import '…' (side effects only)
    /(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g, // require('…'), import('…')
  ];
  for (const re of forms) for (const m of text.matchAll(re)) out.push(m[1]);
  return out;
}

function resolveLocal(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** Every local file reachable from `entry` by imports. */
function closure(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...entries];
  while (stack.length) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    if (!f.endsWith('.ts')) continue;
    for (const spec of importsOf(f)) {
      const r = resolveLocal(f, spec);
      if (r) stack.push(r);
    }
  }
  return seen;
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const rel = (f: string) => path.relative(root, f);

/** The layers, lowest first; a file belongs to the first whose test matches its path. */
const LAYERS: { name: string; test: (file: string) => boolean; mayImport: string[] }[] = [
  { name: 'core', test: (f) => f.startsWith('core/'), mayImport: ['core'] },
  { name: 'client', test: (f) => f.startsWith('src/client/'), mayImport: ['core'] },
  { name: 'verifier', test: (f) => f.startsWith('src/verifier/'), mayImport: ['core'] },
  { name: 'pact', test: (f) => f.startsWith('src/pact/'), mayImport: ['core', 'client'] },
  { name: 'proxy', test: (f) => f.startsWith('src/proxy/'), mayImport: ['core'] },
  { name: 'mock', test: (f) => f.startsWith('mock/'), mayImport: ['core'] },
  { name: 'receiver-check', test: (f) => f.startsWith('src/receiver-check/'), mayImport: ['core'] },
  // The CLI and the package's entry points (src/index.ts, src/entries/*: what package.json exports).
  {
    name: 'top',
    test: (f) => f.startsWith('src/cli/') || f.startsWith('src/entries/') || f === 'src/cli.ts' || f === 'src/index.ts',
    mayImport: ['core', 'client', 'verifier', 'pact', 'proxy', 'mock', 'receiver-check', 'top'],
  },
];

const layerOf = (file: string) => LAYERS.find((l) => l.test(file));

/**
 * The top-level folders, lowest first: the folders themselves show the layers. Each may import only
 * the folders below it (and itself): core/ nothing above it, mock/ the core, src/ both.
 */
const TOP_FOLDERS = [
  { name: 'core', mayImport: ['core'] },
  { name: 'mock', mayImport: ['core', 'mock'] },
  { name: 'src', mayImport: ['core', 'mock', 'src'] },
] as const;

const topOf = (file: string) => TOP_FOLDERS.find((t) => file.startsWith(`${t.name}/`));

/** `from -> to` for an import that crosses top-level folders upwards, else undefined. */
function wrongFolder(from: string, to: string): string | undefined {
  const a = topOf(from);
  const b = topOf(to);
  if (!a || !b || (a.mayImport as readonly string[]).includes(b.name)) return undefined;
  return `${from} (${a.name}/) -> ${to} (${b.name}/)`;
}

/** `from -> to` for an import that does not point down (or sideways within a layer), else undefined. */
function wrongWay(from: string, to: string): string | undefined {
  const a = layerOf(from);
  const b = layerOf(to);
  if (!a || !b) return undefined;
  if (a.name === b.name || a.mayImport.includes(b.name)) return undefined;
  return `${from} (${a.name}) -> ${to} (${b.name})`;
}

/** Packages and Node modules that talk HTTP: the mock's domain uses none of them (adapters do). */
const HTTP_LIBRARIES = [
  'express',
  'undici',
  'node:http',
  'http',
  'node:https',
  'https',
  'node:net',
  'net',
  'node:http2',
  'http2',
];

describe('architecture', () => {
  const sources = TOP_FOLDERS.flatMap((top) => tsFiles(path.join(root, top.name)));

  it('every source file belongs to a layer', () => {
    expect(sources.map(rel).filter((f) => !layerOf(f))).toEqual([]);
  });

  it('every import points down the layers', () => {
    const wrong: string[] = [];
    for (const f of sources) {
      for (const spec of importsOf(f)) {
        const target = resolveLocal(f, spec);
        const why = target && wrongWay(rel(f), rel(target));
        if (why) wrong.push(why);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('at the top level every import points down: src/ -> mock/ -> core/', () => {
    const wrong: string[] = [];
    for (const f of sources) {
      for (const spec of importsOf(f)) {
        const target = resolveLocal(f, spec);
        const why = target && wrongFolder(rel(f), rel(target));
        if (why) wrong.push(why);
      }
    }
    expect(wrong).toEqual([]);
    expect(wrongFolder('core/spec.ts', 'mock/server.ts')).toBeDefined();
    expect(wrongFolder('core/spec.ts', 'src/cli.ts')).toBeDefined();
    expect(wrongFolder('mock/server.ts', 'src/cli/serve.ts')).toBeDefined();
    expect(wrongFolder('mock/server.ts', 'core/spec.ts')).toBeUndefined();
    expect(wrongFolder('src/cli/serve.ts', 'mock/server.ts')).toBeUndefined();
  });

  it('the layer rule itself catches wrong-way imports', () => {
    expect(wrongWay('core/spec.ts', 'mock/server.ts')).toMatch(/core.*-> mock\/server.ts \(mock\)/);
    expect(wrongWay('core/log.ts', 'src/cli/serve.ts')).toBeDefined();
    expect(wrongWay('src/verifier/run.ts', 'mock/domain/store.ts')).toBeDefined();
    expect(wrongWay('mock/http/app.ts', 'src/verifier/run.ts')).toBeDefined();
    expect(wrongWay('mock/server.ts', 'src/cli.ts')).toBeDefined();
    expect(wrongWay('src/client/client.ts', 'src/pact/interactions.ts')).toBeDefined();
    expect(wrongWay('src/pact/interactions.ts', 'src/client/client.ts')).toBeUndefined();
    expect(wrongWay('src/cli/serve.ts', 'mock/server.ts')).toBeUndefined();
    expect(wrongWay('mock/domain/service.ts', 'core/refusals.ts')).toBeUndefined();
    expect(wrongWay('src/proxy/rules.ts', 'mock/server.ts')).toBeDefined();
    expect(wrongWay('src/proxy/rules.ts', 'src/verifier/run.ts')).toBeDefined();
    expect(wrongWay('src/proxy/rules.ts', 'core/validator.ts')).toBeUndefined();
    expect(wrongWay('src/cli/proxy.ts', 'src/proxy/server.ts')).toBeUndefined();
    expect(wrongWay('src/receiver-check/engine.ts', 'core/webhooks.ts')).toBeUndefined();
    expect(wrongWay('src/receiver-check/deliveries.ts', 'mock/domain/deliveries.ts')).toBeDefined();
    expect(wrongWay('src/receiver-check/engine.ts', 'src/verifier/report.ts')).toBeDefined();
    expect(wrongWay('src/receiver-check/library.ts', 'src/client/webhooks.ts')).toBeDefined();
  });

  it('the verifier, validating proxy, check-receiver and their CLIs never import the mock, even transitively', () => {
    const entries = [
      ...tsFiles(path.join(root, 'src/verifier')),
      ...tsFiles(path.join(root, 'src/proxy')),
      ...tsFiles(path.join(root, 'src/receiver-check')),
      path.join(root, 'src/cli/verify.ts'),
      path.join(root, 'src/cli/validate.ts'),
      path.join(root, 'src/cli/proxy.ts'),
      path.join(root, 'src/cli/check-receiver.ts'),
    ];
    const reached = [...closure(entries)].map(rel);
    expect(reached.filter((f) => f.startsWith('mock'))).toEqual([]);
    expect(reached).toContain('core/spec.ts');
  });

  it('entry points load only their part: the client and the verifier never the mock, the client not Pact', () => {
    const reach = (entry: string) => [...closure([path.join(root, entry)])].map(rel);
    for (const entry of [
      'src/entries/client.ts',
      'src/entries/verify.ts',
      'src/entries/pact.ts',
      'src/entries/jest.ts',
    ]) {
      expect({ entry, mock: reach(entry).filter((f) => f.startsWith('mock/')) }).toEqual({ entry, mock: [] });
    }
    expect(reach('src/entries/client.ts').filter((f) => !/^(src\/client|core)\//.test(f))).toEqual([
      'src/entries/client.ts',
      'openapi.json',
    ]);
    const packages = (entry: string) =>
      new Set(
        reach(entry).flatMap((f) =>
          f.endsWith('.ts')
            ? importsOf(path.join(root, f)).filter((spec) => !spec.startsWith('.') && !spec.startsWith('node:'))
            : [],
        ),
      );
    const heavy = (entry: string) =>
      [...packages(entry)].filter((p) => ['express', 'undici', '@pact-foundation/pact', '@faker-js/faker'].includes(p));
    expect(heavy('src/entries/client.ts')).toEqual([]);
    expect(heavy('src/entries/verify.ts')).toEqual([]);
    expect(heavy('src/entries/jest.ts')).toEqual([]);
    expect(packages('src/entries/pact.ts')).toContain('@pact-foundation/pact');
    expect(reach('src/entries/mock.ts')).toContain('mock/server.ts');
  });

  it("the mock's domain knows no HTTP library nor database, nor the adapters (inbound, outbound, storage)", () => {
    const wrong: string[] = [];
    for (const f of tsFiles(path.join(root, 'mock/domain'))) {
      for (const spec of importsOf(f)) {
        if (HTTP_LIBRARIES.includes(spec) || spec === 'lmdb' || /\/(http|outbound|storage)\//.test(spec))
          wrong.push(`${rel(f)} -> ${spec}`);
      }
    }
    expect(wrong).toEqual([]);
    // Not through a back door either: what the domain reaches is the domain, the core and the
    // mock's options (mock/config.ts), never the server or the banner that wire the adapters.
    const reached = [...closure(tsFiles(path.join(root, 'mock/domain')))].map(rel).filter((f) => f.endsWith('.ts'));
    expect(reached.filter((f) => !/^(mock\/domain|core)\//.test(f) && f !== 'mock/config.ts')).toEqual([]);
  });

  it('docs/architecture.md names every part of the layout, and only parts that exist', () => {
    const page = fs.readFileSync(path.join(root, 'docs/architecture.md'), 'utf8');
    const named = new Set([...page.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]));
    const dirs = ['src', 'mock'].flatMap((top) =>
      fs
        .readdirSync(path.join(root, top), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => `${top}/${d.name}/`),
    );
    // A top directory by its path (or, in its own section, by its name); the files of the core
    // and of the mock's domain and HTTP layer by name, where a newcomer looks for them.
    const missing = dirs.filter((d) => !named.has(d) && !named.has(d.replace(/^mock\//, '')));
    for (const dir of ['core', 'mock/domain', 'mock/http']) {
      for (const f of fs.readdirSync(path.join(root, dir)).filter((x) => x.endsWith('.ts')))
        if (!named.has(f)) missing.push(`${dir}/${f}`);
    }
    expect(missing).toEqual([]);
    const stale = [...named].filter(
      (n) =>
        /^(core|src|mock|test|docs|contracts|bench|scripts|examples)\/[^<]*$/.test(n) &&
        !fs.existsSync(path.join(root, n)),
    );
    expect(stale).toEqual([]);
  });

  it('openapi.json is read by core/spec.ts only', () => {
    const readers = sources.filter(
      (f) =>
        importsOf(f).some((s) => s.endsWith('openapi.json')) ||
        /readFileSync\([^)]*openapi\.json/.test(fs.readFileSync(f, 'utf8')),
    );
    expect(readers.map(rel)).toEqual(['core/spec.ts']);
  });
});

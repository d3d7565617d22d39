/**
 * The rules that hold the design together, checked on the source: the verifier never reaches the
 * mock (not even transitively), the mock's domain knows nothing of HTTP frameworks, and
 * openapi.json is read through one module only.
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

describe('architecture', () => {
  it('the verifier and its CLI never import the mock, even transitively', () => {
    const entries = [...tsFiles(path.join(root, 'src/verifier')), path.join(root, 'src/cli/verify.ts'), path.join(root, 'src/cli/validate.ts')];
    const reached = [...closure(entries)].map(rel);
    expect(reached.filter((f) => f.startsWith('mock'))).toEqual([]);
    expect(reached).toContain('src/core/spec.ts');
  });

  it("the mock's domain knows nothing of Express or of the HTTP layer", () => {
    for (const f of tsFiles(path.join(root, 'mock/domain'))) {
      for (const spec of importsOf(f)) {
        expect([rel(f), spec]).not.toEqual([rel(f), 'express']);
        expect(`${rel(f)} -> ${spec}`).not.toMatch(/-> .*\/http\//);
      }
    }
  });

  it('openapi.json is read by src/core/spec.ts only', () => {
    const readers = [...tsFiles(path.join(root, 'src')), ...tsFiles(path.join(root, 'mock'))].filter((f) =>
      importsOf(f).some((s) => s.endsWith('openapi.json')) || /readFileSync\([^)]*openapi\.json/.test(fs.readFileSync(f, 'utf8')),
    );
    expect(readers.map(rel)).toEqual(['src/core/spec.ts']);
  });
});

#!/usr/bin/env node
/**
 * Writes the generated tables of docs/ (`npm run docs:generate`): the check list of
 * docs/verify.md, and the rules and broken variants tables of docs/verify-rules.md, from the
 * checks' files (src/verifier/checks/) and the variants' one outcome list
 * (test/helpers/broken-variants.ts). What is rendered is test/helpers/docs/generated.ts;
 * test/docs/generated.test.ts fails when a committed page differs from it.
 *
 *   node scripts/generate-docs.cjs           rewrite the pages that differ, and name them
 *   node scripts/generate-docs.cjs --check   only say which differ (exit status 1 if any)
 *
 * The TypeScript sources are loaded as they are, each file transpiled on load by the project's
 * own TypeScript (no build, no other tool).
 */
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};

const ROOT = path.resolve(__dirname, '..');
const { generatedPages } = require(path.join(ROOT, 'test/helpers/docs/generated.ts'));

const check = process.argv.includes('--check');
const stale = [];
for (const [page, text] of generatedPages(ROOT)) {
  const file = path.join(ROOT, page);
  if (fs.readFileSync(file, 'utf8') === text) continue;
  stale.push(page);
  if (!check) fs.writeFileSync(file, text);
}
if (check) {
  for (const page of stale) console.log(`${page} differs from what npm run docs:generate writes`);
  process.exitCode = stale.length ? 1 : 0;
} else console.log(stale.length ? `rewrote ${stale.join(', ')}` : 'the generated tables are up to date');

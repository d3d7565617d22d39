/**
 * TypeScript samples: type-checked together against the repository (`inklink-mock` is src/index.ts
 * and each subpath its entry point,
 * with the tests' compiler options), and compiled to CommonJS to run as a reader's script would.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ROOT } from './markdown';

/** Top-level await: the samples are scripts of an ES module or a wrapped CommonJS one. */
const TOP_LEVEL_AWAIT = new Set([1375, 1378]);

/** Type errors per sample, keyed by the sample's name (`page:line`). */
export function typeCheck(samples: { name: string; code: string }[]): Map<string, string[]> {
  const configFile = path.join(ROOT, 'tsconfig.test.json');
  const config = ts.parseJsonConfigFileContent(
    ts.readConfigFile(configFile, (f) => ts.sys.readFile(f)).config,
    ts.sys,
    ROOT,
    undefined,
    configFile,
  );
  const options: ts.CompilerOptions = { ...config.options, noEmit: true, baseUrl: ROOT, paths: packagePaths() };
  const files = new Map(samples.map((s, i) => [path.join(ROOT, 'test/docs', `sample-${i}.ts`), s]));
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.fileExists = (f) => files.has(f) || fileExists(f);
  host.readFile = (f) => files.get(f)?.code ?? readFile(f);
  host.getSourceFile = (f, lang, ...rest) => {
    const s = files.get(f);
    return s ? ts.createSourceFile(f, s.code, lang) : getSourceFile(f, lang, ...rest);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  const out = new Map<string, string[]>();
  for (const [file, s] of files) {
    const diagnostics = ts
      .getPreEmitDiagnostics(program, program.getSourceFile(file))
      .filter((d) => d.file?.fileName === file && !TOP_LEVEL_AWAIT.has(d.code))
      .map(
        (d) =>
          `line ${d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` +
          `${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
      );
    out.set(s.name, diagnostics);
  }
  return out;
}

/** A sample as a CommonJS script: its top level runs in an async function (top-level await). */
export function toScript(code: string): string {
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  return `(async () => {\n${js}\n})().catch((e) => {\n  console.error(e);\n  process.exit(1);\n});\n`;
}

/** What the sample says its `console.log` lines print: the `// → …` notes, in order. */
export const printedNotes = (code: string) =>
  [...code.matchAll(/console\.log\(.*\/\/ → (.*)$/gm)].map((m) => m[1].trim());

/**
 * `inklink-mock` and each subpath of package.json's `exports` (`inklink-mock/client`, …) as the
 * source file its types are built from (`./dist/src/entries/client.d.ts` -> `src/entries/client.ts`).
 */
function packagePaths(): Record<string, string[]> {
  const exportsMap: Record<string, unknown> = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'),
  ).exports;
  const paths: Record<string, string[]> = {};
  for (const [subpath, target] of Object.entries(exportsMap)) {
    const types = typeof target === 'object' && target !== null ? (target as { types?: string }).types : undefined;
    if (!types) continue;
    paths[subpath === '.' ? 'inklink-mock' : `inklink-mock/${subpath.slice(2)}`] = [
      types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts'),
    ];
  }
  return paths;
}

/**
 * Every TypeScript sample of README.md and docs/*.md type-checks against the package's real API
 * (`inklink-mock` is src/index.ts), run or not. samples.test.ts runs the ones that can run.
 */
import { codeBlocks, docPages } from '../helpers/docs/markdown';
import { typeCheck } from '../helpers/docs/typescript';

const samples = docPages()
  .flatMap((p) => codeBlocks(p))
  .filter((b) => b.lang === 'ts')
  .map((b) => ({ name: `${b.page}:${b.line}`, code: b.code }));

/** A sample with a type error, checked in the same program (one program: it takes seconds). */
const BAD = {
  name: 'bad',
  code: "import { InklinkClient } from 'inklink-mock';\nnew InklinkClient({ baseUrl: 1 });\n",
};

describe('TypeScript samples', () => {
  let errors: Map<string, string[]>;
  beforeAll(() => {
    errors = typeCheck([...samples, BAD]);
  });

  it.each(samples.map((s) => s.name))('%s type-checks', (name) => {
    expect(errors.get(name)).toEqual([]);
  });

  it('reports a type error in a sample', () => {
    expect(errors.get('bad')).toEqual([expect.stringMatching(/^line 2: .*not assignable/)]);
  });
});

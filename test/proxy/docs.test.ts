/** docs/proxy.md stays true: the example runs as shown, every flag and env var and every rule is documented. */
import fs from 'node:fs';
import path from 'node:path';
import { PROXY_OPTIONS } from '../../src/cli/proxy';
import type { ProxyRule } from '../../src/proxy';

const ROOT = path.join(__dirname, '../..');
const PAGE = fs.readFileSync(path.join(ROOT, 'docs/proxy.md'), 'utf8');

describe('docs/proxy.md', () => {
  it("shows the client team's example exactly as test/proxy/client-team-example.test.ts runs it", () => {
    const shown = /<!-- proxy-example: begin -->\n```ts\n([\s\S]*?)```\n<!-- proxy-example: end -->/.exec(PAGE)?.[1];
    const source = fs.readFileSync(path.join(ROOT, 'test/proxy/client-team-example.test.ts'), 'utf8');
    const ran = /\/\/ docs\/proxy\.md example: begin\n([\s\S]*?)\/\/ docs\/proxy\.md example: end/.exec(source)?.[1];
    expect(shown).toBeDefined();
    expect(ran).toBeDefined();
    expect(shown!.replace("from 'inklink-mock'", "from 'PACKAGE'").trim()).toBe(
      ran!.replace("from '../../src'", "from 'PACKAGE'").trim(),
    );
  });

  it('documents every flag with its env var', () => {
    for (const o of PROXY_OPTIONS.filter((x) => x.name !== 'help')) {
      const row = PAGE.split('\n').find((l) => l.startsWith(`| \`--${o.name}`));
      expect([o.name, row?.includes(`\`${o.env}\``)]).toEqual([o.name, true]);
    }
  });

  it('names every rule', () => {
    const rules: Record<ProxyRule, true> = {
      operation_exists: true,
      request_parameters_conformance: true,
      request_content_type_conformance: true,
      request_schema_conformance: true,
      status_code_conformance: true,
      content_type_conformance: true,
      response_schema_conformance: true,
      response_headers_conformance: true,
      error_envelope: true,
      secret_format: true,
      secret_repeated: true,
      refused_key_accepted: true,
    };
    for (const r of Object.keys(rules)) expect([r, PAGE.includes(`\`${r}\``)]).toEqual([r, true]);
  });
});

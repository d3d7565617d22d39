/** The core's CTRF, HTML and GitHub Actions formats on a hand-built run: statuses, escaping. */
import {
  countStatuses,
  formatCheckCtrf,
  formatCheckHtml,
  githubAnnotations,
  type CheckRun,
} from '../../core/check-report';

const results = [
  { name: 'a', description: 'A.', status: 'pass' as const, summary: 'ok', evidence: [], durationMs: 1 },
  {
    name: 'b,c:d',
    description: 'B.',
    status: 'fail' as const,
    summary: '100% <b>\r\nbad',
    evidence: [{ message: 'm' }],
    durationMs: 2,
  },
  { name: 's', description: 'S.', status: 'skip' as const, summary: 'nothing', evidence: [], durationMs: 0 },
  { name: 'x', description: 'X.', status: 'blocked' as const, summary: 'not run: setup', evidence: [], durationMs: 0 },
];
const run: CheckRun<{ message: string }> = {
  heading: 'h <i>',
  tool: 'inklink-mock verify',
  suite: 'verify http://x',
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 5,
  results,
  counts: countStatuses(results),
  tableLines: () => [],
  junitLines: () => ['reproduce: curl'],
  blocking: true,
};

it('CTRF: BLOCKED is other with a BLOCKED: message, SKIP is skipped', () => {
  const { results: r } = JSON.parse(formatCheckCtrf(run));
  expect(r.summary).toEqual({
    tests: 4,
    passed: 1,
    failed: 1,
    pending: 0,
    skipped: 1,
    other: 1,
    start: Date.parse(run.startedAt),
    stop: Date.parse(run.startedAt) + 5,
  });
  expect(r.tests.map((t: { status: string }) => t.status)).toEqual(['passed', 'failed', 'skipped', 'other']);
  expect(r.tests[3].message).toBe('BLOCKED: not run: setup');
  expect(r.tests[2].message).toBe('nothing');
  expect(r.tests[1].trace).toContain('reproduce: curl');
});

it('GitHub: %, CR and LF escaped in the message; : and , also in the title; only failures', () => {
  const out = githubAnnotations(run);
  expect(out.split('\n').filter(Boolean)).toHaveLength(1);
  expect(out.startsWith('::error title=b%2Cc%3Ad::100%25 <b>%0D%0Abad%0AB.%0Am%0A  reproduce: curl\n')).toBe(true);
});

it('HTML: every text escaped, no script, link or resource', () => {
  const page = formatCheckHtml(run);
  expect(page).toContain('h &lt;i&gt;');
  expect(page).toContain('100% &lt;b&gt;');
  expect(page).not.toMatch(/<script|<link|src=|href=|url\(|@import/); // the base URL is text, never a link
});

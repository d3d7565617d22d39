/**
 * Runs a shell sample as a reader would, in bash, with three stand-ins defined first:
 * - `inklink-mock …` and `npx inklink-mock …` run the built CLI (dist/src/cli.js); `npm start -- …`
 *   is `inklink-mock serve …` (what the script runs, without its build);
 * - `inklink-mock serve …` starts the mock on a free port in the background, waits for its banner,
 *   and from then on the sample's port 4010 means that mock; it is stopped (SIGTERM) when the
 *   sample ends, and must exit 0 (the wait is by the clock: DOCS_SERVE_WAIT_S, 60 s, for a busy machine);
 * - `curl …` is the real curl, with the sample's port 4010 meaning the mock the test started (or the
 *   one the sample served), and the answer's status written after the body; for the same reason
 *   INKLINK_MOCK_URL names that mock, the one `trigger` and `deliveries` reach without `--mock-url`.
 * Each use prints its output between markers, so the test can hold it to the sample's `# → …` notes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runProcess } from '../cli';
import { ROOT } from './markdown';

const PREAMBLE = fs.readFileSync(path.join(__dirname, 'preamble.sh'), 'utf8');

export interface Use {
  kind: 'curl' | 'cli' | 'serve';
  output: string;
  exit: number;
  /** curl: the answer's HTTP status. */
  status?: number;
}

export interface ShellRun {
  code: number | null;
  /** Everything printed on stdout, markers included. */
  all: string;
  /** The shell's own stderr (the uses' stderr is in their output). */
  stderr: string;
  uses: Use[];
  /** Exit statuses of the mocks the sample served. */
  servedExits: number[];
}

/** Env vars of the test's own process that would change what a sample does. */
const inherited = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(INKLINK_|PACT_)/.test(k)));

export async function runShell(
  script: string,
  options: { cwd: string; mockPort: number; timeoutMs?: number },
): Promise<ShellRun> {
  const env = {
    ...inherited(),
    DOCS_CLI: path.join(ROOT, 'dist/src/cli.js'),
    DOCS_MOCK_PORT: String(options.mockPort),
  };
  const r = await runProcess('bash', ['-c', `${PREAMBLE}\n${script}\n`], {
    cwd: options.cwd,
    env,
    timeoutMs: options.timeoutMs ?? 100_000,
  });
  const servedExits = [...r.stdout.matchAll(/^@@served-exit (\d+)$/gm)].map((m) => Number(m[1]));
  return { code: r.code, all: r.stdout, stderr: r.stderr, uses: parseUses(r.stdout), servedExits };
}

function parseUses(all: string): Use[] {
  const uses: Use[] = [];
  for (const m of all.matchAll(/^@@begin (curl|cli|serve)\n([\s\S]*?)\n@@end (\d+)$/gm)) {
    let output = m[2];
    let status: number | undefined;
    const s = /\n?@@status (\d+)$/.exec(output);
    if (s) {
      status = Number(s[1]);
      output = output.slice(0, s.index);
    }
    uses.push({ kind: m[1] as Use['kind'], output, exit: Number(m[3]), status });
  }
  return uses;
}

/**
 * The CLI's own help is documentation too: the commands `inklink-mock --help` lists are the ones
 * the docs tests know (COMMAND_OPTIONS, so a new command cannot go unchecked), and every example of
 * every `<command> --help` uses only flags the command has. The examples of `serve` need nothing
 * else, so they are run: each must start a mock (one once named a JSON state file, which the mock
 * refuses since the state file became a database).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PLAIN_CHILD_ENV } from '../../src/cli/terminal';
import { runCliCases } from '../helpers/cli';
import { COMMAND_OPTIONS, shellProblems } from '../helpers/docs/markdown';
import { runShell } from '../helpers/docs/shell';

const COMMANDS = Object.keys(COMMAND_OPTIONS);
/** `--help` and every `<command> --help`, printed by one CLI process (a process each cost a node start each). */
const help = new Map<string, string>();

beforeAll(async () => {
  const argvs = [['--help'], ...COMMANDS.map((c) => [c, '--help'])];
  // As the child of runWithPlainOutput: pact-verify prints its help here, not from a CLI process of its own.
  const results = await runCliCases(
    argvs.map((argv) => ({ argv })),
    { ...process.env, [PLAIN_CHILD_ENV]: '1' },
  );
  argvs.forEach((argv, i) => {
    expect([argv, results[i].code]).toEqual([argv, 0]);
    help.set(argv[0], results[i].stdout);
  });
}, 60_000);

/** The command line of each example of a command's --help. */
function helpExamples(command: string): string[] {
  const examples = help.get(command)?.split('\nExamples:\n')[1] ?? '';
  return examples
    .split('\n')
    .filter((l) => l.startsWith('  inklink-mock '))
    .map((l) => l.trim());
}

it('the commands inklink-mock --help lists are the commands the docs tests check', () => {
  const listed = (help.get('--help')?.split('\nCommands:\n')[1] ?? '')
    .split('\n\n')[0]
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter(Boolean);
  expect(listed.sort()).toEqual([...COMMANDS].sort());
});

it.each(COMMANDS)('%s --help: its examples use only flags it has', (command) => {
  const examples = helpExamples(command);
  expect(examples.length).toBeGreaterThanOrEqual(2);
  for (const line of examples) expect([line, shellProblems(line, {})]).toEqual([line, []]);
});

// The examples run one after another in one shell (each mock stopped when the script ends); the
// waits are generous because the machine running the suite may be busy: a start-up under load is
// slow, not broken (the preamble waits up to DOCS_SERVE_WAIT_S, 60 s, for each banner).
it('serve --help: every example starts the mock', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-help-'));
  try {
    const lines = helpExamples('serve');
    const run = await runShell(lines.join('\n'), { cwd: dir, mockPort: 9, timeoutMs: 280_000 });
    const serves = run.uses.filter((u) => u.kind === 'serve');
    lines.forEach((line, i) => {
      const out = serves[i]?.output ?? '';
      if (!/listening on/.test(out) || out.includes('@@serve-failed'))
        throw new Error(`"${line}" did not start the mock:\n${out || run.all}\n${run.stderr}`);
    });
    expect([run.code, run.uses.length, run.servedExits]).toEqual([0, lines.length, lines.map(() => 0)]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);

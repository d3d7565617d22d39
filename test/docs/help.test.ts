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
import { runCli } from '../helpers/cli';
import { COMMAND_OPTIONS, shellProblems } from '../helpers/docs/markdown';
import { runShell } from '../helpers/docs/shell';

/** The command line of each example of a command's --help. */
async function helpExamples(command: string): Promise<string[]> {
  const r = await runCli([command, '--help']);
  expect(r.code).toBe(0);
  const examples = r.stdout.split('\nExamples:\n')[1] ?? '';
  return examples
    .split('\n')
    .filter((l) => l.startsWith('  inklink-mock '))
    .map((l) => l.trim());
}

it('the commands inklink-mock --help lists are the commands the docs tests check', async () => {
  const r = await runCli(['--help']);
  const listed = (r.stdout.split('\nCommands:\n')[1] ?? '')
    .split('\n\n')[0]
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter(Boolean);
  expect(listed.sort()).toEqual(Object.keys(COMMAND_OPTIONS).sort());
});

it.each(Object.keys(COMMAND_OPTIONS))('%s --help: its examples use only flags it has', async (command) => {
  const examples = await helpExamples(command);
  expect(examples.length).toBeGreaterThanOrEqual(2);
  for (const line of examples) expect([line, shellProblems(line, {})]).toEqual([line, []]);
});

it('serve --help: every example starts the mock', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-help-'));
  try {
    for (const line of await helpExamples('serve')) {
      const run = await runShell(line, { cwd: dir, mockPort: 9 });
      const started =
        run.code === 0 &&
        run.uses.length === 1 &&
        !run.all.includes('@@serve-failed') &&
        run.servedExits.join() === '0';
      if (!started) throw new Error(`"${line}" did not start the mock:\n${run.all}\n${run.stderr}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

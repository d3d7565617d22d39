/**
 * What every command of the CLI does the same way, as real processes: `--version`, `--help` with
 * examples, one line and exit status 2 for an unknown option (with the nearest known one) or a
 * stray argument, a quiet end when the reader closes the pipe, and colour only on a terminal
 * without NO_COLOR (`script` gives the process a real pseudo-terminal).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLI, runCli } from '../helpers/cli';
import { startMock, type TestMock } from '../helpers/mock';

const COMMANDS = ['serve', 'verify', 'validate', 'pact-verify', 'pact-check'];
const ESC = '\x1b[';
const PACT = path.join(__dirname, '../../contracts/pacts/inklink-example-client-inklink.json');

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the CLI on a pseudo-terminal (util-linux `script`): its stdout is a TTY. Asynchronous: the mock is in this process. */
function onTerminal(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const child = spawn('script', ['-qec', command, '/dev/null'], { env: childEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

describe('the CLI, every command alike', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
    for (const args of [['--version'], ['-v']]) {
      const r = await runCli(args);
      expect(r).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it.each(COMMANDS)('%s --help shows its options and examples that use it', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: inklink-mock ${command}`));
    expect(r.stdout).toContain('\nOptions:\n');
    const examples = r.stdout.split('\nExamples:\n')[1];
    expect(examples).toBeDefined();
    expect(examples.match(new RegExp(`^  inklink-mock ${command} `, 'gm'))?.length).toBeGreaterThanOrEqual(2);
  });

  it('-h and `help <command>` are --help', async () => {
    const help = (await runCli(['pact-check', '--help'])).stdout;
    expect((await runCli(['pact-check', '-h'])).stdout).toBe(help);
    expect((await runCli(['help', 'pact-check'])).stdout).toBe(help);
  });

  it.each([
    [['serve', '--prot', '4117'], 'serve', 'unknown option --prot (did you mean --port?)'],
    [['serve', '--retry', '0,1s'], 'serve', 'unknown option --retry (did you mean --retry-schedule?)'],
    [['serve', '--no-self-check'], 'serve', 'unknown option --no-self-check (did you mean --self-check?)'],
    [['verify', '--base-ulr', 'http://x'], 'verify', 'unknown option --base-ulr (did you mean --base-url?)'],
    [['validate', '--opertaion', 'x'], 'validate', 'unknown option --opertaion (did you mean --operation?)'],
    [['pact-verify', '--pacts', 'x'], 'pact-verify', 'unknown option --pacts (did you mean --pact?)'],
    [['pact-check', '--fromat', 'json', 'x'], 'pact-check', 'unknown option --fromat (did you mean --format?)'],
    [['serve', '--frobnicate'], 'serve', 'unknown option --frobnicate'],
    [['serve', '--port'], 'serve', '--port needs a value (--port N)'],
    [['serve', '--self-check=yes'], 'serve', '--self-check takes no value'],
    [['serve', '4117'], 'serve', 'unexpected argument "4117" (did you mean --port 4117?)'],
    [['verify', 'http://127.0.0.1:4010'], 'verify', 'unexpected argument "http://127.0.0.1:4010" (this command takes options only)'],
    [['pact-verify', 'pacts/'], 'pact-verify', 'unexpected argument "pacts/" (pact files go with --pact)'],
  ])('%p: one line naming the problem and --help, exit 2', async (args, command, message) => {
    const r = await runCli(args);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 2,
      stdout: '',
      stderr: `inklink-mock ${command}: ${message}; see "inklink-mock ${command} --help"\n`,
    });
  });

  it('an unknown command or top-level option: one line with the nearest, exit 2', async () => {
    expect(await runCli(['serv'])).toEqual({ code: 2, stdout: '', stderr: 'inklink-mock: unknown command "serv" (did you mean serve?); see "inklink-mock --help"\n' });
    expect(await runCli(['--verison'])).toEqual({ code: 2, stdout: '', stderr: 'inklink-mock: unknown option --verison (did you mean --version?); see "inklink-mock --help"\n' });
  });

  it('`serve 4117` does not start a server on the default port (nor any)', async () => {
    const r = await runCli(['serve', '4117'], {}, 10_000);
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('listening');
  });

  it('a reader that closes the pipe ends the command quietly, exit 0 (no EPIPE stack trace)', async () => {
    // The read end is closed before the CLI writes a byte, so every write of it fails with EPIPE.
    const child = spawn(process.execPath, [CLI, 'verify', '--list-checks'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    // And as a user types it.
    const shell = spawnSync('bash', ['-c', `set -o pipefail; ${quote(process.execPath)} ${quote(CLI)} verify --list-checks | head -1`], { encoding: 'utf8' });
    expect(shell.status).toBe(0);
    expect(shell.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(shell.stderr).toBe('');
  });
});

describe('colour: only on a terminal, never with NO_COLOR', () => {
  let m: TestMock;
  beforeAll(async () => {
    m = await startMock();
  });
  afterAll(() => m.close());

  const verifyArgs = () => ['verify', '--base-url', m.url, '--admin-key', m.key('admin'), '--member-key', m.key('member'), '--check', 'auth_required'];

  it('verify paints PASS on a terminal; not with NO_COLOR, nor into a pipe', async () => {
    const tty = await onTerminal(verifyArgs(), { NO_COLOR: undefined });
    expect(tty.code).toBe(0);
    expect(tty.output).toContain(`${ESC}32mPASS${ESC}0m`);
    const noColor = await onTerminal(verifyArgs(), { NO_COLOR: '1' });
    expect(noColor.code).toBe(0);
    expect(noColor.output).toMatch(/auth_required\s+PASS/);
    expect(noColor.output).not.toContain(ESC);
    const piped = await runCli(verifyArgs(), { NO_COLOR: '' });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/auth_required\s+PASS/);
    expect(piped.stdout + piped.stderr).not.toContain('\x1b');
  });

  it("pact-verify: Pact's own output carries no escape codes into a pipe, nor on a terminal with NO_COLOR", async () => {
    const args = ['pact-verify', '--provider-base-url', m.url, '--pact', PACT];
    const piped = await runCli(args, { NO_COLOR: '' }, 60_000);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toContain('Verifying a pact between inklink-example-client and inklink');
    expect(piped.stdout).toMatch(/has status code 200 \(OK\)/);
    expect(piped.stdout + piped.stderr).not.toContain('\x1b');
    const noColor = await onTerminal(args, { NO_COLOR: '1' });
    expect(noColor.code).toBe(0);
    expect(noColor.output).toContain('Verifying a pact between inklink-example-client and inklink');
    expect(noColor.output).not.toContain('\x1b');
  }, 120_000);
});

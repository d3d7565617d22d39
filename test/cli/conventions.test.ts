/**
 * What every command of the CLI does the same way, as real processes: `--version`, `--help` with
 * examples and its exit statuses, one line and exit status 2 for a usage error (an unknown option
 * with the nearest known one, a missing or empty value, a value that breaks the option's rule, from
 * the flag or its env var or as the last of two, a missing required option, a stray argument,
 * anything after `--`), a quiet end when the reader closes the pipe, and colour only on a terminal
 * without NO_COLOR (`script` gives the process a real pseudo-terminal).
 *
 * The commands are the ones `inklink-mock --help` lists and each command's flags are the ones its
 * `--help` lists, so a new command or flag is checked without a line here. The per-flag cases of a
 * command run in one child process (runCliCases); the commands run side by side.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CLI, runCli, runCliCases, runProcess, type CliCase } from '../helpers/cli';
import { startMock, type TestMock } from '../helpers/mock';

const ESC = '\x1b[';
const PACT = path.join(__dirname, '../../contracts/pacts/inklink-example-client-inklink.json');

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** This environment without the CLI's own variables (a developer's INKLINK_* must not change a case). */
const CLEAN_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(INKLINK_|PACT_BROKER_|NO_COLOR$)/.test(k)),
);

/** The commands `inklink-mock --help` lists: read once, as the tests are defined. */
const COMMANDS = (
  spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout.split('\nCommands:\n')[1] ?? ''
)
  .split('\n\n')[0]
  .split('\n')
  .map((l) => l.trim().split(/\s+/)[0])
  .filter(Boolean);

interface Flag {
  name: string;
  /** What the help shows after a flag that takes a value (`N`, `URL`, `DURATION`...); none for a switch. */
  valueName?: string;
  repeatable: boolean;
  required: boolean;
  env?: string;
  default?: string;
}

/** A command's flags as its --help lists them. */
function flagsOf(help: string): Flag[] {
  const rows = (help.split('\nOptions:\n')[1] ?? '').split('\n\n')[0].split('\n');
  return rows.flatMap((row) => {
    const m = /^ {2}--([a-z][a-z-]*)(?: (\S+))?\s+(.*)$/.exec(row);
    if (!m) return [];
    return [
      {
        name: m[1],
        valueName: m[2],
        repeatable: /repeatable/i.test(m[3]),
        required: /\bRequired\b|\(required\)/.test(m[3]),
        env: /\(env (\w+)/.exec(m[3])?.[1],
        default: /default ([^;)\s]+)\)?$/.exec(m[3])?.[1],
      },
    ];
  });
}

/** A typo of `name`: two letters swapped, as fingers do (the first two of a two-letter name: `--di`). */
const typo = (name: string) => (name.length < 3 ? name[1] + name[0] : name[0] + name[2] + name[1] + name.slice(3));

/** A value each kind of flag must refuse (from the value's name in the help), and the problem it names. */
function badValue(f: Flag): [string, RegExp] | undefined {
  const flag = `--${f.name}`;
  switch (f.valueName) {
    case 'N':
    case 'PORT':
      return ['abc', new RegExp(`^${flag} must be an integer from \\d+ to \\d+, got "abc"`)];
    case 'DURATION':
      return ['-5s', new RegExp(`^${flag}: Invalid duration "-5s": use e\\.g\\. 500ms, 5s, 5m or 2h`)];
    case 'URL':
      return ['not-a-url', new RegExp(`^${flag} must be an absolute http\\(s\\) URL`)];
    case 'LEVEL':
    case 'FORMAT':
    case 'MODE':
      return ['bogus', new RegExp(`^${flag} must be one of [a-z, ]+, got "bogus"`)];
    default:
      return undefined;
  }
}

type Expected = string | RegExp;

/** Every usage error a command's flags can make, each with the one line it must print. */
function usageCases(command: string, flags: Flag[]): [CliCase, Expected][] {
  const cases: [CliCase, Expected][] = [];
  const names = flags.map((f) => f.name);
  for (const f of flags) {
    const flag = `--${f.name}`;
    const near = typo(f.name);
    if (!names.includes(near))
      cases.push([{ argv: [command, `--${near}`] }, `unknown option --${near} (did you mean ${flag}?)`]);
    if (!f.valueName) {
      cases.push([{ argv: [command, `${flag}=yes`] }, `${flag} takes no value`]);
      continue;
    }
    const needs = `${flag} needs a value (${flag} ${f.valueName})`;
    cases.push([{ argv: [command, flag] }, needs]);
    cases.push([{ argv: [command, flag, '--help'] }, needs]);
    cases.push([{ argv: [command, flag, '-5'] }, `${needs}; a value that starts with "-" is written ${flag}=VALUE`]);
    cases.push([{ argv: [command, `${flag}=`] }, `${flag} is empty: give a value (${flag} ${f.valueName})`]);
    cases.push([{ argv: [command, flag, ''] }, `${flag} is empty: give a value (${flag} ${f.valueName})`]);
    const bad = badValue(f);
    if (bad) {
      cases.push([{ argv: [command, `${flag}=${bad[0]}`] }, bad[1]]);
      // Given twice, the last value is the one (a wrapper appends a flag to override one): a good one, then a bad one.
      if (f.default !== undefined && !f.repeatable)
        cases.push([{ argv: [command, flag, f.default, `${flag}=${bad[0]}`] }, bad[1]]);
      if (f.env)
        cases.push([
          { argv: [command], env: { [f.env]: bad[0] } },
          new RegExp(`${bad[1].source}.* \\(from ${f.env}\\)`),
        ]);
    }
  }
  const required = flags.find((f) => f.required);
  if (required)
    cases.push([{ argv: [command] }, `--${required.name} is required${required.env ? ` (or ${required.env})` : ''}`]);
  // What a user types is shown on the one line, escaped and cut short, never as terminal codes.
  const long = `--${'y'.repeat(100_000)}`;
  cases.push([{ argv: [command, long] }, `unknown option ${long.slice(0, 60)}… (${long.length} characters)`]);
  cases.push([{ argv: [command, '--\x1b[31mred\nline'] }, 'unknown option --\\u001b[31mred\\nline']);
  // After `--` everything is an argument, `--help` too: a command that takes none says so; one that
  // takes files does not find it.
  cases.push([
    { argv: [command, '--', '--help'] },
    /^(unexpected argument "--help"|--help: no such file or directory)/,
  ]);
  return cases;
}

/**
 * Runs the CLI on a pseudo-terminal (util-linux `script`): its stdout is a TTY. Asynchronous: the
 * servers are in this process.
 */
function onTerminal(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

const line = (command: string, message: string) =>
  `inklink-mock ${command}: ${message}; see "inklink-mock ${command} --help"\n`;

it('the CLI lists its commands, all twelve of them at least', () => {
  expect(COMMANDS).toEqual(
    expect.arrayContaining([
      'serve',
      'verify',
      'validate',
      'pact-verify',
      'pact-check',
      'proxy',
      'check-receiver',
      'trigger',
      'deliveries',
    ]),
  );
  expect(COMMANDS).toEqual(expect.arrayContaining(['sign', 'verify-signature', 'vectors']));
});

interface Probe {
  help: { code: number | null; stdout: string; stderr: string };
  flags: Flag[];
  closedPipe: { code: number | null; stderr: string };
  unknown: { code: number | null; stdout: string; stderr: string };
  cases: [CliCase, Expected][];
  results: Awaited<ReturnType<typeof runCliCases>>;
}

/**
 * Everything a command is asked: as processes (its help, its help into a closed pipe, an unknown
 * option), then, in one child process, `-h`, `help <command>` and every usage error of every flag.
 */
async function probe(command: string): Promise<Probe> {
  const closed = spawn(process.execPath, [CLI, command, '--help'], {
    env: CLEAN_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  closed.stdout.destroy();
  let closedErr = '';
  closed.stderr.on('data', (c) => (closedErr += c));
  const [help, unknown, closedPipe] = await Promise.all([
    runProcess(process.execPath, [CLI, command, '--help'], { env: CLEAN_ENV }),
    runProcess(process.execPath, [CLI, command, '--frobnicate'], { env: CLEAN_ENV }),
    new Promise<{ code: number | null; stderr: string }>((resolve) =>
      closed.on('close', (code) => resolve({ code, stderr: closedErr })),
    ),
  ]);
  const flags = flagsOf(help.stdout);
  const cases = usageCases(command, flags);
  const asHelp: CliCase[] = [{ argv: [command, '-h'] }, { argv: ['help', command] }];
  // pact-verify runs itself in a plain-output child unless it is that child: here it is.
  const results = await runCliCases([...asHelp, ...cases.map(([c]) => c)], {
    ...CLEAN_ENV,
    INKLINK_MOCK_PLAIN_OUTPUT_CHILD: '1',
  });
  return { help, flags, closedPipe, unknown, cases, results };
}

const probes = new Map<string, Probe>();
beforeAll(async () => {
  await Promise.all(COMMANDS.map(async (c) => probes.set(c, await probe(c))));
}, 60_000);

describe.each(COMMANDS)('inklink-mock %s', (command) => {
  let help: Probe['help'];
  let flags: Flag[];
  let closedPipe: Probe['closedPipe'];
  let unknown: Probe['unknown'];
  let cases: Probe['cases'];
  let results: Probe['results'];
  beforeAll(() => {
    ({ help, flags, closedPipe, unknown, cases, results } = probes.get(command)!);
  });

  it('--help: usage, every option, examples that use the command, and its exit statuses, on stdout', () => {
    expect({ code: help.code, stderr: help.stderr }).toEqual({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(new RegExp(`^Usage: inklink-mock ${command}`));
    expect(flags.map((f) => f.name)).toContain('help');
    const examples = help.stdout.split('\nExamples:\n')[1];
    expect(examples).toBeDefined();
    expect(examples.match(new RegExp(`^  inklink-mock ${command} `, 'gm'))?.length).toBeGreaterThanOrEqual(2);
    expect(help.stdout).toMatch(/exit status/i);
    expect(help.stdout).toMatch(/2 on\s+a usage error/);
    expect(help.stdout).not.toContain('\x1b');
  });

  it('-h and `help <command>` print the same help', () => {
    expect(results.slice(0, 2)).toEqual([
      { code: 0, stdout: help.stdout, stderr: '' },
      { code: 0, stdout: help.stdout, stderr: '' },
    ]);
  });

  it('its help into a closed pipe ends quietly, exit 0', () => {
    expect(closedPipe).toEqual({ code: 0, stderr: '' });
  });

  it('an unknown option, as a process: one line on stderr naming it and --help, nothing on stdout, exit 2', () => {
    expect(unknown).toEqual({ code: 2, stdout: '', stderr: line(command, 'unknown option --frobnicate') });
  });

  it(
    'every usage error of every flag (typo, missing, empty or dashed value, the last of ' +
      'two values, bad value by flag and env var, required, after --): one line, exit 2',
    () => {
      const got = cases.map(([c], i) => [c.argv.join(' '), c.env, results[i + 2]]);
      const want = cases.map(([c, message]) => [
        c.argv.join(' '),
        c.env,
        {
          code: 2,
          stdout: '',
          stderr:
            typeof message === 'string'
              ? line(command, message)
              : expect.stringMatching(
                  new RegExp(
                    `^inklink-mock ${command}: ${message.source.replace(/^\^/, '')}.*; see "inklink-mock ` +
                      `${command} --help"\n$`,
                  ),
                ),
        },
      ]);
      expect(got).toEqual(want);
    },
  );
});

describe('the CLI, every command alike', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
    for (const args of [['--version'], ['-v']]) {
      const r = await runCli(args);
      expect(r).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
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
    [
      ['verify', 'http://127.0.0.1:4010'],
      'verify',
      'unexpected argument "http://127.0.0.1:4010" (this command takes options only)',
    ],
    [['pact-verify', 'pacts/'], 'pact-verify', 'unexpected argument "pacts/" (pact files go with --pact)'],
    [['proxy', '--prot', '4011'], 'proxy', 'unknown option --prot (did you mean --port?)'],
    [
      ['proxy', 'http://127.0.0.1:4010'],
      'proxy',
      'unexpected argument "http://127.0.0.1:4010" (the upstream goes with --upstream)',
    ],
    [['check-receiver', '--secrte', 'x'], 'check-receiver', 'unknown option --secrte (did you mean --secret?)'],
    [['sign', 'body.json'], 'sign', 'unexpected argument "body.json" (a body file goes with --data-file)'],
    [['sign', '--secret', 'x'], 'sign', 'unknown option --secret (did you mean --secret-env?)'],
    [
      ['verify-signature', '--tolerence', '5m'],
      'verify-signature',
      'unknown option --tolerence (did you mean --tolerance?)',
    ],
    [['vectors', 'out/'], 'vectors', 'unexpected argument "out/" (the directory goes with --out)'],
    [
      ['check-receiver', 'http://127.0.0.1:3000/webhooks'],
      'check-receiver',
      'unexpected argument "http://127.0.0.1:3000/webhooks" (this command takes options only)',
    ],
    [['trigger', '--endpiont', 'x'], 'trigger', 'unknown option --endpiont (did you mean --endpoint?)'],
    [
      ['trigger', 'kyc.result.approved', 'web.result.approved'],
      'trigger',
      'unexpected argument "web.result.approved" (trigger takes one TYPE)',
    ],
    [['deliveries', '--folow'], 'deliveries', 'unknown option --folow (did you mean --follow?)'],
    [
      ['deliveries', 'resnd', 'wh_dlv_x'],
      'deliveries',
      'unexpected argument "resnd" (deliveries takes options, or "resend ID")',
    ],
  ])('%p: one line naming the problem and --help, exit 2', async (args, command, message) => {
    const r = await runCli(args);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 2,
      stdout: '',
      stderr: `inklink-mock ${command}: ${message}; see "inklink-mock ${command} --help"\n`,
    });
  });

  it('an unknown command or top-level option: one line with the nearest, exit 2', async () => {
    expect(await runCli(['serv'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'inklink-mock: unknown command "serv" (did you mean serve?); see "inklink-mock --help"\n',
    });
    expect(await runCli(['--verison'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'inklink-mock: unknown option --verison (did you mean --version?); see "inklink-mock --help"\n',
    });
  });

  it('`serve 4117` does not start a server on the default port (nor any)', async () => {
    const r = await runCli(['serve', '4117'], {}, 10_000);
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('listening');
  });

  it('--list-checks | head -1, each command that lists checks: one line, exit 0, no EPIPE stack trace', async () => {
    const listing = COMMANDS.filter((c) => probes.get(c)!.flags.some((f) => f.name === 'list-checks'));
    expect(listing).toEqual(expect.arrayContaining(['verify', 'check-receiver']));
    const runs = await Promise.all(
      listing.map(async (command) => {
        const shell = spawn(
          'bash',
          ['-c', `set -o pipefail; ${quote(process.execPath)} ${quote(CLI)} ${command} --list-checks | head -1`],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let stdout = '';
        let stderr = '';
        shell.stdout.on('data', (c) => (stdout += c));
        shell.stderr.on('data', (c) => (stderr += c));
        const code = await new Promise((resolve) => shell.on('close', resolve));
        return { command, code, lines: stdout.split('\n').filter(Boolean).length, stderr };
      }),
    );
    expect(runs).toEqual(listing.map((command) => ({ command, code: 0, lines: 1, stderr: '' })));
  });
});

describe('colour: only on a terminal, never with NO_COLOR', () => {
  let m: TestMock;
  beforeAll(async () => {
    m = await startMock();
  });
  afterAll(() => m.close());

  const verifyArgs = () => [
    'verify',
    '--base-url',
    m.url,
    '--admin-key',
    m.key('admin'),
    '--member-key',
    m.key('member'),
    '--check',
    'auth_required',
  ];

  it('verify paints PASS on a terminal; not with NO_COLOR, nor into a pipe', async () => {
    const [tty, noColor, piped] = await Promise.all([
      onTerminal(verifyArgs(), { NO_COLOR: undefined }),
      onTerminal(verifyArgs(), { NO_COLOR: '1' }),
      runCli(verifyArgs(), { NO_COLOR: '' }),
    ]);
    expect(tty.code).toBe(0);
    expect(tty.output).toContain(`${ESC}32mPASS${ESC}0m`);
    expect(noColor.code).toBe(0);
    expect(noColor.output).toMatch(/auth_required\s+PASS/);
    expect(noColor.output).not.toContain(ESC);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/auth_required\s+PASS/);
    expect(piped.stdout + piped.stderr).not.toContain('\x1b');
  });

  it('check-receiver paints PASS on a terminal; not with NO_COLOR, nor into a pipe', async () => {
    const receiver = http.createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks`;
      const args = [
        'check-receiver',
        '--url',
        url,
        '--secret',
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        '--check',
        'valid_deliveries_accepted',
      ];
      const [tty, noColor, piped] = await Promise.all([
        onTerminal(args, { NO_COLOR: undefined }),
        onTerminal(args, { NO_COLOR: '1' }),
        runCli(args, { NO_COLOR: '' }),
      ]);
      expect(tty.code).toBe(0);
      expect(tty.output).toContain(`${ESC}32mPASS${ESC}0m`);
      expect(noColor.code).toBe(0);
      expect(noColor.output).toMatch(/valid_deliveries_accepted\s+PASS/);
      expect(noColor.output).not.toContain('\x1b');
      expect(piped.code).toBe(0);
      expect(piped.stdout).toMatch(/valid_deliveries_accepted\s+PASS/);
      expect(piped.stdout + piped.stderr).not.toContain('\x1b');
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it("pact-verify: Pact's own output carries no escape codes into a pipe, nor to a TTY with NO_COLOR", async () => {
    const args = ['pact-verify', '--provider-base-url', m.url, '--pact', PACT];
    const [piped, noColor] = await Promise.all([
      runCli(args, { NO_COLOR: '' }, 60_000),
      onTerminal(args, { NO_COLOR: '1' }),
    ]);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toContain('Verifying a pact between inklink-example-client and inklink');
    expect(piped.stdout).toMatch(/has status code 200 \(OK\)/);
    expect(piped.stdout + piped.stderr).not.toContain('\x1b');
    expect(noColor.code).toBe(0);
    expect(noColor.output).toContain('Verifying a pact between inklink-example-client and inklink');
    expect(noColor.output).not.toContain('\x1b');
  }, 120_000);
});

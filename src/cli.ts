#!/usr/bin/env node
/**
 * `inklink-mock <command>`: a thin layer over the library. What every command shares is here and in
 * cli/options.ts: `--version`, `--help`, one line and exit status 2 for a usage error (an unknown
 * option names the nearest known one), quiet on a closed pipe, colour only on a terminal.
 */
import fs from 'node:fs';
import path from 'node:path';
import { redact } from '../core/log';
import { nearest, UsageError } from './cli/options';
import { serveCommand } from './cli/serve';
import { quietOnClosedPipe, runWithPlainOutput } from './cli/terminal';

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; summary: string }> = {
  serve: { run: serveCommand, summary: 'Serve the stateful InkLink mock.' },
  verify: {
    run: (argv) => import('./cli/verify').then((m) => m.verifyCommand(argv)),
    summary: 'Check an implementation against openapi.json and the documented behaviour.',
  },
  'check-receiver': {
    run: (argv) => import('./cli/check-receiver').then((m) => m.checkReceiverCommand(argv)),
    summary: "Check a webhook receiver against InkLink's delivery rules (and a secret rotation).",
  },
  // Standard Webhooks signatures from the command line, and test vectors for any language.
  sign: {
    run: (argv) => import('./cli/sign').then((m) => m.signCommand(argv)),
    summary: 'Sign a body as InkLink signs a delivery: the three webhook-* headers.',
  },
  'verify-signature': {
    run: (argv) => import('./cli/verify-signature').then((m) => m.verifySignatureCommand(argv)),
    summary: "Verify a captured delivery's signature: valid, or why not.",
  },
  vectors: {
    run: (argv) => import('./cli/vectors').then((m) => m.vectorsCommand(argv)),
    summary: 'Write signed test vectors (JSON) for a receiver in any language.',
  },
  validate: {
    run: (argv) => import('./cli/validate').then((m) => m.validateCommand(argv)),
    summary: 'Validate one exchange or a HAR file against openapi.json.',
  },
  'pact-verify': {
    // Pact's verifier paints its output even into a file: without colour, it runs behind a filter.
    run: (argv) =>
      runWithPlainOutput(__filename, ['pact-verify', ...argv], () =>
        import('./cli/pact-verify').then((m) => m.pactVerifyCommand(argv)),
      ),
    summary: 'Verify consumer pacts against a provider, with provider states.',
  },
  'pact-check': {
    run: (argv) => import('./cli/pact-check').then((m) => m.pactCheckCommand(argv)),
    summary: 'Check pacts against openapi.json, interaction by interaction.',
  },
  proxy: {
    run: (argv) => import('./cli/proxy').then((m) => m.proxyCommand(argv)),
    summary: "Forward live traffic to InkLink's API (or the mock) and check every exchange.",
  },
  trigger: {
    run: (argv) => import('./cli/trigger').then((m) => m.triggerCommand(argv)),
    summary: 'Make a running mock deliver an event (to one endpoint, or --all).',
  },
  deliveries: {
    run: (argv) => import('./cli/deliveries').then((m) => m.deliveriesCommand(argv)),
    summary: "List a running mock's deliveries (--follow: live), or resend one.",
  },
};

/** The package's version (package.json sits two levels above dist/src/cli.js and src/cli.ts). */
export function version(): string {
  return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string })
    .version;
}

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(16)} ${c.summary}`);
  return (
    `Usage: inklink-mock <command> [options]\n       inklink-mock --version\n\nCommands:\n${rows.join('\n')}\n\n` +
    `Run "inklink-mock <command> --help" for a command's options and examples.\n`
  );
}

// eslint-disable-next-line no-control-regex -- control characters are what it matches: shown escaped
const CONTROL_CHARACTER = /[\x00-\x1f\x7f]/g;

/**
 * An error message as the one line it must be, whatever a user typed into it: no secret, control
 * characters (a newline, an escape sequence) shown escaped, and a huge word cut short.
 */
export function oneLine(message: string): string {
  return redact(message)
    .replace(CONTROL_CHARACTER, (c) => JSON.stringify(c).slice(1, -1))
    .replace(/\S{81,}/g, (word) => `${word.slice(0, 60)}… (${word.length} characters)`);
}

function usageError(where: string, message: string, helpCommand: string): number {
  process.stderr.write(`${where}: ${oneLine(message)}; see "${helpCommand}"\n`);
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    // `inklink-mock help serve` is `inklink-mock serve --help`.
    if (name === 'help' && rest[0] && COMMANDS[rest[0]]) return COMMANDS[rest[0]].run(['--help']);
    (name ? process.stdout : process.stderr).write(usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    const near = nearest(name.replace(/^-+/, ''), name.startsWith('-') ? ['help', 'version'] : Object.keys(COMMANDS));
    const what = name.startsWith('-') ? `unknown option ${name}` : `unknown command "${name}"`;
    return usageError(
      'inklink-mock',
      `${what}${near ? ` (did you mean ${name.startsWith('-') ? '--' : ''}${near}?)` : ''}`,
      'inklink-mock --help',
    );
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) return usageError(`inklink-mock ${name}`, e.message, `inklink-mock ${name} --help`);
    process.stderr.write(`inklink-mock ${name}: ${oneLine((e as Error).message)}\n`);
    return 1;
  }
}

/** Runs the CLI as a program: exit status, a quiet end on a closed pipe (also scripts/start.cjs). */
export function run(argv: string[]): void {
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`inklink-mock: ${oneLine((err as Error).message)}\n`);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) run(process.argv.slice(2));

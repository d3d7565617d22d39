#!/usr/bin/env node
/** `inklink-mock <command>`: a thin layer over the library. */
import { UsageError } from './cli/options';
import { serveCommand } from './cli/serve';

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
  validate: {
    run: (argv) => import('./cli/validate').then((m) => m.validateCommand(argv)),
    summary: 'Validate one exchange or a HAR file against openapi.json.',
  },
  'pact-verify': {
    run: (argv) => import('./cli/pact-verify').then((m) => m.pactVerifyCommand(argv)),
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
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`);
  return `Usage: inklink-mock <command> [options]\n\nCommands:\n${rows.join('\n')}\n\nRun "inklink-mock <command> --help" for a command's options.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`inklink-mock: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`inklink-mock ${name}: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`inklink-mock ${name}: ${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`inklink-mock: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}

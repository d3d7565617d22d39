/** `inklink-mock pact-check FILE…`: every interaction of each pact against openapi.json, offline. */
import { helpText, parseOptions, UsageError, type CommandHelp, type OptionSpec } from './options';

export const PACT_CHECK_OPTIONS: OptionSpec[] = [
  {
    name: 'format',
    type: 'string',
    env: 'INKLINK_PACT_CHECK_FORMAT',
    default: 'text',
    valueName: 'FORMAT',
    value: { oneOf: ['text', 'json'] },
    description: 'text (one line per mismatch) or json.',
  },
  { name: 'help', type: 'boolean', description: 'Show this help.' },
];

export const PACT_CHECK_HELP: CommandHelp = {
  usage: 'Usage: inklink-mock pact-check [options] FILE|DIR...',
  about: `Validates every interaction's request and response of each pact against openapi.json and reports
each mismatch with its interaction and location. A directory means its *.json files. Exit status:
0 when every pact conforms, 1 on a mismatch, 2 on a usage error or a file that is not a pact.`,
  examples: [
    ['inklink-mock pact-check pacts/', 'every pact in a directory'],
    ['inklink-mock pact-check --format json pacts/my-app-inklink.json', 'one pact, the result as JSON'],
  ],
};

export async function pactCheckCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(PACT_CHECK_OPTIONS, argv, process.env, { positionals: 'FILE|DIR' });
  if (values.help) {
    process.stdout.write(helpText(PACT_CHECK_HELP, PACT_CHECK_OPTIONS));
    return 0;
  }
  const format = String(values.format);
  if (positionals.length === 0) throw new UsageError('give at least one pact file or directory');
  const { checkPactFile, expandPactPaths, formatCheckResults, PactFileError } = await import('../pact/check');
  let results;
  try {
    results = expandPactPaths(positionals).map((f) => checkPactFile(f));
  } catch (e) {
    if (e instanceof PactFileError) throw new UsageError(e.message);
    throw e;
  }
  const failed = results.some((r) => r.mismatches.length > 0);
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify({ ok: !failed, results }, null, 2)}\n`);
  } else {
    (failed ? process.stderr : process.stdout).write(formatCheckResults(results));
  }
  return failed ? 1 : 0;
}

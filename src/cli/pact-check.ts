/** `inklink-mock pact-check FILE…`: every interaction of each pact against openapi.json, offline. */
import { helpText, parseOptions, UsageError, type OptionSpec } from './options';

export const PACT_CHECK_OPTIONS: OptionSpec[] = [
  { name: 'format', type: 'string', env: 'INKLINK_PACT_CHECK_FORMAT', default: 'text', valueName: 'FORMAT', description: 'text (one line per mismatch) or json.' },
  { name: 'help', type: 'boolean', description: 'Show this help.' },
];

const USAGE = `Usage: inklink-mock pact-check [options] FILE|DIR...

Validates every interaction's request and response of each pact against openapi.json and reports
each mismatch with its interaction and location. A directory means its *.json files. Exit status:
0 when every pact conforms, 1 on a mismatch, 2 on a usage error or a file that is not a pact.`;

export async function pactCheckCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(PACT_CHECK_OPTIONS, argv);
  if (values.help) {
    process.stdout.write(helpText(USAGE, PACT_CHECK_OPTIONS));
    return 0;
  }
  const format = String(values.format);
  if (format !== 'text' && format !== 'json') throw new UsageError('--format must be text or json');
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

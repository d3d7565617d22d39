/**
 * `inklink-mock validate`: one exchange (`--operation --status --body [--header]`) or a recorded
 * session (`--har FILE`) against openapi.json, violation by violation.
 */
import fs from 'node:fs';
import { getSpec } from '../../core/spec';
import { createValidator, isDeclaredRefusal, type Violation } from '../../core/validator';
import { commandOptions, specOption, UsageError, type CommandHelp, type OptionSpec } from './options';

export const VALIDATE_OPTIONS: OptionSpec[] = [
  { name: 'operation', type: 'string', valueName: 'ID', description: 'operationId of the exchange (with --status).' },
  {
    name: 'status',
    type: 'string',
    valueName: 'N',
    value: { int: [100, 599] },
    description: 'HTTP status of the response.',
  },
  {
    name: 'body',
    type: 'string',
    valueName: 'FILE',
    description:
      'The response body (- for stdin); its content type is application/json unless --header says otherwise.',
  },
  {
    name: 'header',
    type: 'string',
    multiple: true,
    valueName: 'NAME:VALUE',
    description: 'A response header (repeatable).',
  },
  {
    name: 'no-content-type',
    type: 'boolean',
    description: 'The response had no Content-Type header (with --body it is application/json otherwise).',
  },
  {
    name: 'har',
    type: 'string',
    valueName: 'FILE',
    description: 'A HAR file: every entry that maps to an operation is validated, request and response.',
  },
  {
    name: 'spec',
    type: 'string',
    env: 'INKLINK_SPEC',
    valueName: 'FILE',
    description: 'An OpenAPI 3.0 document instead of the bundled openapi.json.',
  },
  { name: 'json', type: 'boolean', description: 'Print the violations as JSON.' },
  { name: 'help', type: 'boolean', description: 'Show this help.' },
];

interface Finding {
  entry?: number;
  exchange: string;
  violations: Violation[];
  /** Request violations of an exchange the operation documents refusing (e.g. 401 without a key). */
  expected?: Violation[];
}

export const VALIDATE_HELP: CommandHelp = {
  usage:
    'Usage: inklink-mock validate --operation ID --status N [--body FILE] [--header NAME:VALUE]...\n' +
    '       inklink-mock validate --har FILE',
  about: `Validates one recorded response, or every exchange of a HAR file, against openapi.json. In a HAR
file, a refusal the operation declares (a 401 to a request without a key, a 400 to an invalid body)
is an expected refusal: the request's own violations are listed as such, not counted. Exit status:
0 when nothing violates it, 1 on a violation, 2 on a usage error.`,
  examples: [
    [
      'inklink-mock validate --operation rotateWebhookEndpointSecret --status 200 --body response.json ' +
        "--header 'x-request-id:6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f'",
      'one response, its body in a file',
    ],
    [
      'inklink-mock validate --har session.har --json',
      'a session recorded by a browser or a proxy, violations as JSON',
    ],
    [
      'inklink-mock validate --operation rotateWebhookEndpointSecret --status 200 --body response.json ' +
        '--no-content-type',
      'a response that came without a Content-Type header',
    ],
  ],
};

export async function validateCommand(argv: string[]): Promise<number> {
  const values = commandOptions(VALIDATE_OPTIONS, VALIDATE_HELP, argv);
  if (!values) return 0;
  const spec = specOption(values.spec) ?? getSpec();
  const validator = createValidator(spec);
  let findings: Finding[];
  let skipped: string[] = [];
  if (values.har) {
    if (values.operation || values.status || values.body || values.header || values['no-content-type']) {
      throw new UsageError(
        '--har cannot be combined with --operation, --status, --body, --header or --no-content-type',
      );
    }
    ({ findings, skipped } = validateHar(readFile(String(values.har)), validator));
  } else {
    if (!values.operation || values.status === undefined)
      throw new UsageError('give --operation and --status (or --har FILE)');
    if (!spec.operations.has(String(values.operation))) {
      throw new UsageError(`unknown operation "${values.operation}"; known: ${[...spec.operations.keys()].join(', ')}`);
    }
    const headers: Record<string, string> = {};
    for (const h of (values.header as string[] | undefined) ?? []) {
      const i = h.indexOf(':');
      if (i <= 0) throw new UsageError(`--header must be NAME:VALUE, got "${h}"`);
      headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
    }
    const body = values.body === undefined ? undefined : readFile(String(values.body));
    if (values['no-content-type']) {
      if (headers['content-type'] !== undefined)
        throw new UsageError('--no-content-type cannot be combined with a content-type --header');
    } else if (body !== undefined && headers['content-type'] === undefined)
      headers['content-type'] = 'application/json';
    const status = Number(values.status);
    findings = [
      {
        exchange: `${values.operation} -> ${status}`,
        violations: validator.validateResponse({ operationId: String(values.operation), status, headers, body }),
      },
    ];
  }
  const total = findings.reduce((n, f) => n + f.violations.length, 0);
  if (values.json) {
    process.stdout.write(JSON.stringify({ violations: total, findings, skipped }, null, 2) + '\n');
  } else {
    for (const f of findings) {
      const where = f.entry === undefined ? f.exchange : `entry ${f.entry}: ${f.exchange}`;
      if (f.violations.length === 0) process.stdout.write(`ok    ${where}\n`);
      for (const v of f.violations)
        process.stdout.write(`FAIL  ${where}  ${v.check}  ${v.location.join('.')}: ${v.message}\n`);
      for (const v of f.expected ?? [])
        process.stdout.write(`      · expected refusal: ${v.check}  ${v.location.join('.')}: ${v.message}\n`);
    }
    for (const s of skipped) process.stdout.write(`skip  ${s}\n`);
    process.stdout.write(
      `${total} violation${total === 1 ? '' : 's'} in ${findings.length} exchange${findings.length === 1 ? '' : 's'}\n`,
    );
  }
  return total === 0 ? 0 : 1;
}

function readFile(file: string): string {
  try {
    return fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

type HarHeader = { name: string; value: string };

/** What `validate --har` reads of a HAR entry (a file from anywhere: every part may be missing). */
interface HarEntry {
  request?: {
    method?: string;
    url?: string;
    headers?: HarHeader[];
    postData?: { mimeType?: string; text?: string };
  };
  response?: {
    status?: number;
    headers?: HarHeader[];
    content?: { text?: string; encoding?: string; mimeType?: string };
  };
}

function harHeaders(list: HarHeader[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of list ?? []) {
    const k = h.name.toLowerCase();
    out[k] = out[k] === undefined ? h.value : `${out[k]}, ${h.value}`;
  }
  return out;
}

export function validateHar(
  text: string,
  validator: ReturnType<typeof createValidator>,
): { findings: Finding[]; skipped: string[] } {
  let har: { log?: { entries?: unknown } } | null;
  try {
    har = JSON.parse(text) as typeof har;
  } catch {
    throw new UsageError('the HAR file is not JSON');
  }
  const entries = har?.log?.entries;
  if (!Array.isArray(entries)) throw new UsageError('the HAR file has no log.entries');
  const findings: Finding[] = [];
  const skipped: string[] = [];
  entries.forEach((entry: HarEntry | null | undefined, i: number) => {
    const request = entry?.request;
    const method = String(request?.method ?? '');
    let pathname: string;
    let query: Record<string, string>;
    try {
      const u = new URL(String(request?.url));
      pathname = u.pathname;
      query = Object.fromEntries(u.searchParams);
    } catch {
      skipped.push(`entry ${i + 1}: no valid request URL`);
      return;
    }
    const match = validator.spec.findOperation(method, pathname);
    if (!match) {
      skipped.push(`entry ${i + 1}: ${method} ${pathname} is not an operation of the spec`);
      return;
    }
    const opId = match.operation.operationId;
    const reqHeaders = harHeaders(request?.headers);
    const post = request?.postData;
    if (post?.mimeType && reqHeaders['content-type'] === undefined) reqHeaders['content-type'] = post.mimeType;
    const requestViolations = validator.validateRequest({
      operationId: opId,
      pathParams: match.params,
      query,
      headers: reqHeaders,
      body: post?.text,
    });
    const res = entry?.response ?? {};
    const resHeaders = harHeaders(res.headers);
    let resBody: string | undefined = res.content?.text;
    if (resBody !== undefined && res.content?.encoding === 'base64')
      resBody = Buffer.from(resBody, 'base64').toString('utf8');
    if (res.content?.mimeType && resHeaders['content-type'] === undefined && resBody)
      resHeaders['content-type'] = res.content.mimeType;
    const status = Number(res.status);
    const violations = validator.validateResponse({ operationId: opId, status, headers: resHeaders, body: resBody });
    // A refusal the operation declares (a 401 to a request without a key) is what was asked for.
    const refusal = isDeclaredRefusal(validator.spec, match.operation, status);
    if (!refusal) violations.unshift(...requestViolations);
    const finding: Finding = { entry: i + 1, exchange: `${method} ${pathname} -> ${res.status} (${opId})`, violations };
    if (refusal && requestViolations.length) finding.expected = requestViolations;
    findings.push(finding);
  });
  return { findings, skipped };
}

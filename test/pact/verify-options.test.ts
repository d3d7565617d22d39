/**
 * The mapping of inklink-mock's pact-verify options (broker ones included) onto Pact's Verifier
 * options: a pure function, tested as one. A Pact Broker cannot run here.
 */
import path from 'node:path';
import {
  DEFAULT_CONSUMER_VERSION_SELECTORS,
  PactVerifyConfigError,
  parseConsumerVersionSelectors,
  parseVerifierResults,
  toVerifierOptions,
} from '../../src/pact/verify';
import { PACT_VERIFY_OPTIONS, pactVerifyOptionsFrom } from '../../src/cli/pact-verify';
import { parseOptions, UsageError } from '../../src/cli/options';

const BASE = 'http://127.0.0.1:4010';

describe('toVerifierOptions', () => {
  it('local pact files and pact URLs: absolute paths, provider name, no broker options', () => {
    expect(
      toVerifierOptions({ providerBaseUrl: BASE, pacts: ['contracts/pacts', 'https://pacts.example.com/p.json'] }),
    ).toEqual({
      provider: 'inklink',
      providerBaseUrl: BASE,
      pactUrls: [path.resolve('contracts/pacts'), 'https://pacts.example.com/p.json'],
      publishVerificationResult: false,
      failIfNoPactsFound: true,
      logLevel: 'warn',
    });
  });

  it("a broker: URL, token, recommended selectors by default, pending on, the provider's branch, no publishing", () => {
    expect(
      toVerifierOptions({
        providerBaseUrl: BASE,
        brokerUrl: 'https://broker.example.com',
        brokerToken: 't0k3n',
        provider: 'inklink-staging',
        providerBranch: 'main',
      }),
    ).toEqual({
      provider: 'inklink-staging',
      providerBaseUrl: BASE,
      pactBrokerUrl: 'https://broker.example.com',
      pactBrokerToken: 't0k3n',
      consumerVersionSelectors: [{ mainBranch: true }, { deployedOrReleased: true }, { matchingBranch: true }],
      enablePending: true,
      providerVersionBranch: 'main',
      publishVerificationResult: false,
      failIfNoPactsFound: true,
      logLevel: 'warn',
    });
    expect(DEFAULT_CONSUMER_VERSION_SELECTORS).toHaveLength(3);
  });

  it('pending pacts can be turned off; WIP pacts then cannot be asked for', () => {
    const base = {
      providerBaseUrl: BASE,
      brokerUrl: 'https://b.example.com',
      consumerVersionSelectors: [{ mainBranch: true }],
    };
    expect(toVerifierOptions({ ...base, enablePending: false }).enablePending).toBe(false);
    expect(toVerifierOptions({ ...base, includeWipPactsSince: '2025-01-01' })).toMatchObject({
      enablePending: true,
      includeWipPactsSince: '2025-01-01',
    });
    expect(() => toVerifierOptions({ ...base, enablePending: false, includeWipPactsSince: '2025-01-01' })).toThrow(
      /--include-wip-pacts-since needs pending pacts/,
    );
  });

  it('the provider branch is required with a matchingBranch selector (a default one) and to publish', () => {
    const base = { providerBaseUrl: BASE, brokerUrl: 'https://b.example.com' };
    expect(() => toVerifierOptions(base)).toThrow(
      /\{"matchingBranch": true\} \(one of the defaults\) needs --provider-branch/,
    );
    expect(() => toVerifierOptions({ ...base, consumerVersionSelectors: [{ matchingBranch: true }] })).toThrow(
      /needs --provider-branch/,
    );
    expect(
      toVerifierOptions({ ...base, consumerVersionSelectors: [{ mainBranch: true }, { deployedOrReleased: true }] })
        .providerVersionBranch,
    ).toBeUndefined();
    expect(() =>
      toVerifierOptions({
        ...base,
        consumerVersionSelectors: [{ mainBranch: true }],
        publish: true,
        providerVersion: 'abc',
      }),
    ).toThrow(/--publish needs --provider-branch/);
  });

  it('a run for a pact URL (a broker webhook) verifies only that pact: no broker, selectors, pending, WIP', () => {
    const url = 'https://broker.example.com/pacts/provider/inklink/consumer/web/pact-version/abc';
    const mapped = toVerifierOptions({
      providerBaseUrl: BASE,
      pacts: [url],
      brokerUrl: 'https://broker.example.com',
      brokerToken: 't',
      publish: true,
      providerVersion: 'abc',
      providerBranch: 'main',
    });
    expect(mapped).toEqual({
      provider: 'inklink',
      providerBaseUrl: BASE,
      pactUrls: [url],
      pactBrokerToken: 't',
      publishVerificationResult: true,
      providerVersion: 'abc',
      providerVersionBranch: 'main',
      failIfNoPactsFound: true,
      logLevel: 'warn',
    });
    for (const extra of [
      { consumerVersionSelectors: [{ mainBranch: true }] },
      { includeWipPactsSince: '2025-01-01' },
      { enablePending: true },
    ]) {
      expect(() => toVerifierOptions({ providerBaseUrl: BASE, pacts: [url], ...extra })).toThrow(
        /applies to pacts a broker selects/,
      );
    }
  });

  it("Pact gets the provider version only to publish (ambient PACT_BROKER_PUBLISH_VERIFICATION_RESULTS can't)", () => {
    const o = toVerifierOptions({
      providerBaseUrl: BASE,
      brokerUrl: 'https://b.example.com',
      consumerVersionSelectors: [{ mainBranch: true }],
      providerVersion: 'abc',
    });
    expect(o.providerVersion).toBeUndefined();
    expect(o.publishVerificationResult).toBe(false);
  });

  it('publishing is refused in mock mode', () => {
    expect(() =>
      toVerifierOptions({
        providerBaseUrl: BASE,
        brokerUrl: 'https://b.example.com',
        publish: true,
        providerVersion: '1',
        providerBranch: 'main',
        states: { mode: 'mock' },
      }),
    ).toThrow(/--publish is refused in mock mode/);
  });

  it('the full CI flow: selectors, pending, WIP, publish with version, branch and build URL', () => {
    const mapped = toVerifierOptions({
      providerBaseUrl: BASE,
      brokerUrl: 'https://broker.example.com',
      brokerUsername: 'ci',
      brokerPassword: 'pw',
      consumerVersionSelectors: [{ branch: 'main' }, { deployedOrReleased: true, environment: 'production' }],
      enablePending: true,
      includeWipPactsSince: '2025-01-01',
      publish: true,
      providerVersion: 'a1b2c3d',
      providerBranch: 'main',
      buildUrl: 'https://ci.example.com/build/42',
      timeoutMs: 5000,
      logLevel: 'info',
    });
    expect(mapped).toEqual({
      provider: 'inklink',
      providerBaseUrl: BASE,
      pactBrokerUrl: 'https://broker.example.com',
      pactBrokerUsername: 'ci',
      pactBrokerPassword: 'pw',
      consumerVersionSelectors: [{ branch: 'main' }, { deployedOrReleased: true, environment: 'production' }],
      enablePending: true,
      includeWipPactsSince: '2025-01-01',
      publishVerificationResult: true,
      providerVersion: 'a1b2c3d',
      providerVersionBranch: 'main',
      buildUrl: 'https://ci.example.com/build/42',
      timeout: 5000,
      failIfNoPactsFound: true,
      logLevel: 'info',
    });
  });

  it('local pacts and a broker together', () => {
    const mapped = toVerifierOptions({
      providerBaseUrl: BASE,
      pacts: ['a.json'],
      brokerUrl: 'https://b.example.com',
      providerBranch: 'feat-x',
    });
    expect(mapped.pactUrls).toEqual([path.resolve('a.json')]);
    expect(mapped.pactBrokerUrl).toBe('https://b.example.com');
  });

  it.each([
    [{ providerBaseUrl: '' }, /provider base URL is required/],
    [{ providerBaseUrl: 'localhost:4010', pacts: ['a'] }, /absolute http\(s\) URL/],
    [{ providerBaseUrl: BASE }, /give pact files or directories/],
    [{ providerBaseUrl: BASE, pacts: ['a'], publish: true, providerVersion: '1' }, /--publish needs a Pact Broker/],
    [
      { providerBaseUrl: BASE, pacts: ['a'], consumerVersionSelectors: [{ mainBranch: true }] },
      /--consumer-version-selectors needs a Pact Broker/,
    ],
    [{ providerBaseUrl: BASE, pacts: ['a'], enablePending: true }, /--enable-pending needs a Pact Broker/],
    [{ providerBaseUrl: BASE, pacts: ['a'], brokerToken: 't' }, /--pact-broker-token needs a Pact Broker/],
    [{ providerBaseUrl: BASE, brokerUrl: 'https://b', publish: true }, /--publish needs --provider-version/],
    [
      { providerBaseUrl: BASE, brokerUrl: 'https://b', providerBranch: 'm', brokerToken: 't', brokerUsername: 'u' },
      /token or a username and password, not both/,
    ],
    [
      { providerBaseUrl: BASE, brokerUrl: 'https://b', providerBranch: 'm', includeWipPactsSince: 'last week' },
      /YYYY-MM-DD/,
    ],
  ])('refuses %j', (input, message) => {
    expect(() => toVerifierOptions(input as any)).toThrow(PactVerifyConfigError);
    expect(() => toVerifierOptions(input as any)).toThrow(message);
  });
});

describe('parseConsumerVersionSelectors', () => {
  it('takes an array or a single selector', () => {
    expect(parseConsumerVersionSelectors('[{"mainBranch":true},{"branch":"feat-x","consumer":"web"}]')).toEqual([
      { mainBranch: true },
      { branch: 'feat-x', consumer: 'web' },
    ]);
    expect(parseConsumerVersionSelectors('{"deployedOrReleased":true}')).toEqual([{ deployedOrReleased: true }]);
  });

  it.each([
    ['mainBranch', /must be JSON/],
    ['[]', /at least one selector/],
    ['[1]', /selector 0 is not an object/],
    ['[{}]', /selector 0 is empty/],
    ['[{"mainbranch":true}]', /unknown key "mainbranch"/],
    ['[{"branch":true}]', /"branch" must be a string/],
    ['[{"latest":"yes"}]', /"latest" must be a boolean/],
  ])('refuses %s', (json, message) => {
    expect(() => parseConsumerVersionSelectors(json)).toThrow(message);
  });
});

describe('pact-verify flags and env vars', () => {
  const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
    pactVerifyOptionsFrom(parseOptions(PACT_VERIFY_OPTIONS, argv, env).values);

  it('every flag has an env var', () => {
    expect(PACT_VERIFY_OPTIONS.filter((o) => o.name !== 'help' && !o.env)).toEqual([]);
  });

  it('reads everything from env vars, as a CI job sets them', () => {
    const o = parse([], {
      INKLINK_PACT_PROVIDER_BASE_URL: 'https://staging.example.com/api/v1',
      INKLINK_PACT_FILES: 'a.json, pacts/',
      INKLINK_PACT_PROVIDER_STATES: 'api',
      INKLINK_ADMIN_API_KEY: 'secret_live_admin0000',
      INKLINK_MEMBER_API_KEY: 'secret_live_member000',
      PACT_BROKER_BASE_URL: 'https://broker.example.com',
      PACT_BROKER_TOKEN: 'tok',
      INKLINK_PACT_CONSUMER_VERSION_SELECTORS: '[{"mainBranch":true}]',
      INKLINK_PACT_PUBLISH: 'true',
      INKLINK_PACT_PROVIDER_VERSION: 'abc123',
      INKLINK_PACT_PROVIDER_BRANCH: 'main',
      INKLINK_PACT_ENABLE_PENDING: '1',
      INKLINK_PACT_TIMEOUT: '5s',
      INKLINK_PACT_DELIVERY_TIMEOUT: '2s',
    });
    expect(o).toMatchObject({
      providerBaseUrl: 'https://staging.example.com/api/v1',
      pacts: ['a.json', 'pacts/'],
      brokerUrl: 'https://broker.example.com',
      brokerToken: 'tok',
      consumerVersionSelectors: [{ mainBranch: true }],
      publish: true,
      providerVersion: 'abc123',
      providerBranch: 'main',
      enablePending: true,
      timeoutMs: 5000,
      states: {
        mode: 'api',
        apiKeys: { admin: 'secret_live_admin0000', member: 'secret_live_member000' },
        deliveryTimeoutMs: 2000,
      },
    });
    expect(toVerifierOptions(o)).toMatchObject({
      publishVerificationResult: true,
      providerVersion: 'abc123',
      providerVersionBranch: 'main',
      pactBrokerToken: 'tok',
    });
  });

  it('pending pacts: by default, --enable-pending, off by --no-pending or INKLINK_PACT_ENABLE_PENDING=false', () => {
    const base = ['--provider-base-url', BASE];
    expect(parse(base).enablePending).toBeUndefined();
    expect(parse([...base, '--enable-pending']).enablePending).toBe(true);
    expect(parse([...base, '--no-pending']).enablePending).toBe(false);
    expect(parse(base, { INKLINK_PACT_NO_PENDING: 'true' }).enablePending).toBe(false);
    expect(parse(base, { INKLINK_PACT_ENABLE_PENDING: 'false' }).enablePending).toBe(false);
    expect(() => parse([...base, '--enable-pending', '--no-pending'])).toThrow(
      'give --enable-pending or --no-pending, not both',
    );
  });

  it('a flag beats its env var; --pact repeats', () => {
    const o = parse(
      [
        '--provider-base-url',
        'http://127.0.0.1:1',
        '--pact',
        'x.json',
        '--pact',
        'y.json',
        '--provider-states',
        'mock',
      ],
      {
        INKLINK_PACT_PROVIDER_BASE_URL: 'http://ignored',
        INKLINK_PACT_FILES: 'ignored.json',
      },
    );
    expect(o.providerBaseUrl).toBe('http://127.0.0.1:1');
    expect(o.pacts).toEqual(['x.json', 'y.json']);
    expect(o.states?.mode).toBe('mock');
  });

  it.each([
    [[], /--provider-base-url is required/],
    [['--provider-base-url', BASE, '--provider-states', 'magic'], /--provider-states must be one of/],
    [['--provider-base-url', BASE, '--provider-states', 'url'], /needs --provider-state-url/],
    [['--provider-base-url', BASE, '--log-level', 'loud'], /--log-level/],
    [['--provider-base-url', BASE, '--timeout', 'soon'], /Invalid duration/],
    [['--provider-base-url', BASE, '--consumer-version-selectors', '[{"nope":1}]'], /unknown key "nope"/],
  ])('refuses %j with a usage error', (argv, message) => {
    expect(() => parse(argv)).toThrow(UsageError);
    expect(() => parse(argv)).toThrow(message);
  });
});

describe('parseVerifierResults', () => {
  it("names each failing interaction by its description, with Pact's mismatches", () => {
    const r = parseVerifierResults(
      JSON.stringify({
        result: false,
        interactionResults: [
          { description: 'a - b', result: 'Error' },
          { description: 'b', result: 'OK' },
        ],
        errors: [
          {
            interaction: 'Verifying a pact between c and inklink Given x - a - b',
            mismatch: {
              type: 'mismatches',
              mismatches: [
                { type: 'StatusMismatch', mismatch: 'expected 200 but was 500' },
                { type: 'BodyMismatch', path: '$.secret', mismatch: 'no' },
              ],
            },
          },
          {
            interaction: 'Verifying a pact between c and inklink - b',
            mismatch: { type: 'error', message: 'state failed' },
          },
        ],
        pendingErrors: [],
      }),
    );
    expect(r.ok).toBe(false);
    expect(r.failures.map((f) => f.description)).toEqual(['a - b', 'b']);
    expect(r.failures[0].mismatches).toEqual([
      { type: 'StatusMismatch', message: 'expected 200 but was 500' },
      { type: 'BodyMismatch', message: 'no', path: '$.secret' },
    ]);
    expect(r.failures[1].mismatches).toEqual([{ type: 'error', message: 'state failed' }]);
  });
});

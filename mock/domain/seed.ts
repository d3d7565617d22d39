/**
 * The seeded state: `--seed N` makes faker generate the same organizations, keys, endpoints and
 * initial secrets on every run, so a developer's keys keep working across restarts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { EVENT_TYPES, ID_PREFIX, ROLES, type Role } from '../../core/inklink';
import { SECRET_PREFIX } from '../../core/webhooks';
import { DEFAULTS } from '../config';
import { apiKeyHint, hashApiKey } from './ids';
import type { ApiKeyRecord, EndpointRecord, OrganizationRecord, StateSnapshot } from './model';

export interface SeededKey {
  id: string;
  role: Role;
  /** The key itself: shown in the start-up banner, never stored. */
  key: string;
}

export interface SeededEndpoint {
  id: string;
  name: string | null;
  url: string;
  enabled: boolean;
  event_types: string[];
  /** The initial secret, shown once in the banner as create would. */
  secret: string;
}

export interface SeededOrganization {
  id: string;
  name: string;
  apiKeys: SeededKey[];
  endpoints: SeededEndpoint[];
}

export interface SeedResult {
  snapshot: StateSnapshot;
  organizations: SeededOrganization[];
}

export interface SeedOptions {
  /** URL the seeded endpoints deliver to (the developer's local receiver). */
  webhookUrl: string;
}

const REF_DATE = '2026-01-01T00:00:00.000Z';

/** The default seed's state is generated at build time (`npm run build`) into this file. */
export const SEED_CACHE = (seed: number) => path.join(__dirname, `seed-${seed}.json`);
const URL_PLACEHOLDER = 'http://inklink-mock.invalid/webhook-url';

/**
 * The seeded state. Faker generates it; for a seed whose state the build cached (the default one),
 * faker's output is read back instead of generated again, which saves loading faker at start-up.
 * A test proves the cache equals a fresh generation.
 */
export function seedState(seed: number, options: SeedOptions): SeedResult {
  let generated: SeedResult | undefined;
  try {
    generated = JSON.parse(fs.readFileSync(SEED_CACHE(seed), 'utf8')) as SeedResult;
  } catch {
    generated = generate(seed);
  }
  return withWebhookUrl(generated, options.webhookUrl);
}

function withWebhookUrl(r: SeedResult, url: string): SeedResult {
  return {
    snapshot: { ...r.snapshot, endpoints: r.snapshot.endpoints.map((e) => ({ ...e, url })) },
    organizations: r.organizations.map((o) => ({ ...o, endpoints: o.endpoints.map((e) => ({ ...e, url })) })),
  };
}

/** Writes the cache of a seed's state (run by `npm run build` for the default seed). */
export function writeSeedCache(seed: number): string {
  const file = SEED_CACHE(seed);
  fs.writeFileSync(file, JSON.stringify(generate(seed)) + '\n');
  return file;
}

/** Faker's state for a seed, endpoints delivering to a placeholder URL. */
export function generate(seed: number): SeedResult {
  const options = { webhookUrl: URL_PLACEHOLDER };
  // Loaded here, not at module load: only seeding needs faker.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: faker loads only when seeding
  const { faker } = require('@faker-js/faker/locale/en') as typeof import('@faker-js/faker');
  faker.seed(seed);
  const organizations: OrganizationRecord[] = [];
  const apiKeys: ApiKeyRecord[] = [];
  const endpoints: EndpointRecord[] = [];
  const revealed: SeededOrganization[] = [];
  const alnum = (n: number) => faker.string.alphanumeric(n);
  const past = () => faker.date.past({ years: 1, refDate: REF_DATE }).toISOString();

  // Per organization: one endpoint for every event type, one for a subset (the second
  // organization's is disabled, to show that disabled endpoints receive nothing).
  const subsets = [EVENT_TYPES.filter((t) => t.startsWith('kyc.')), EVENT_TYPES.filter((t) => t.startsWith('web.'))];
  for (let o = 0; o < 2; o++) {
    const org: OrganizationRecord = { id: `org_${alnum(16)}`, name: faker.company.name(), createdAt: past() };
    organizations.push(org);
    const shown: SeededOrganization = { id: org.id, name: org.name, apiKeys: [], endpoints: [] };
    for (const role of ROLES) {
      const key = ID_PREFIX.apiKey + alnum(32);
      const id = `key_${alnum(16)}`;
      apiKeys.push({
        id,
        organizationId: org.id,
        role,
        hash: hashApiKey(key),
        hint: apiKeyHint(key),
        createdAt: org.createdAt,
      });
      shown.apiKeys.push({ id, role, key });
    }
    const specs = [
      { name: `${faker.commerce.productName()} webhooks`, eventTypes: [...EVENT_TYPES], enabled: true },
      {
        name: `${faker.commerce.productName()} ${o === 0 ? 'KYC' : 'web'} results`,
        eventTypes: subsets[o],
        enabled: o === 0,
      },
    ];
    for (const s of specs) {
      const bytes = Buffer.from(Array.from({ length: 32 }, () => faker.number.int({ min: 0, max: 255 })));
      const secret = SECRET_PREFIX + bytes.toString('base64');
      const createdAt = past();
      const e: EndpointRecord = {
        id: `${ID_PREFIX.endpoint}${alnum(24)}`,
        organizationId: org.id,
        url: options.webhookUrl,
        name: s.name,
        enabled: s.enabled,
        eventTypes: s.eventTypes,
        createdAt,
        secret,
        secretIssuedAt: createdAt,
        rotations: 0,
      };
      endpoints.push(e);
      shown.endpoints.push({
        id: e.id,
        name: e.name,
        url: e.url,
        enabled: e.enabled,
        event_types: [...e.eventTypes],
        secret,
      });
    }
    revealed.push(shown);
  }
  return {
    snapshot: { format: 'inklink-mock-state', version: 1, organizations, apiKeys, endpoints },
    organizations: revealed,
  };
}

if (require.main === module) {
  const seed = Number(process.argv[2] ?? DEFAULTS.seed);
  process.stdout.write(`seed state cached: ${writeSeedCache(seed)}\n`);
}

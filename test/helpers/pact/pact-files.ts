/**
 * Committed pacts: consumer tests write their pact to a temporary directory, and the last test of
 * each consumer file compares it, normalised, with the one committed under contracts/pacts/.
 * `PACT_UPDATE=1 npm test` rewrites the committed files instead.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const PACTS_DIR = path.join(__dirname, '../../../contracts/pacts');

export function tempPactDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'inklink-pact-'));
}

export const pactFileName = (consumer: string, provider: string) => `${consumer}-${provider}.json`;

/**
 * What a pact says, without what only tells which library wrote it: the pact-js and Pact core
 * versions go, interactions are sorted by type, description and provider states.
 */
export function normalisePact(pact: any): any {
  const copy = structuredClone(pact);
  if (copy.metadata) {
    copy.metadata = { pactSpecification: copy.metadata.pactSpecification };
  }
  const key = (i: any) =>
    JSON.stringify([i.type ?? '', i.description ?? '', i.providerStates ?? i.providerState ?? []]);
  for (const list of ['interactions', 'messages']) {
    if (Array.isArray(copy[list])) copy[list].sort((a: any, b: any) => key(a).localeCompare(key(b)));
  }
  return copy;
}

export interface CommittedCheck {
  /** The committed file, or undefined when it does not exist. */
  committed: any;
  generated: any;
  updated: boolean;
  file: string;
}

/** Reads the generated pact; with PACT_UPDATE=1 copies it over the committed one. */
export function committedPact(
  generatedDir: string,
  fileName: string,
  env: NodeJS.ProcessEnv = process.env,
): CommittedCheck {
  const generatedFile = path.join(generatedDir, fileName);
  if (!fs.existsSync(generatedFile)) throw new Error(`the consumer tests wrote no ${fileName} (did one fail?)`);
  const generatedText = fs.readFileSync(generatedFile, 'utf8');
  const file = path.join(PACTS_DIR, fileName);
  if (env.PACT_UPDATE === '1' || env.PACT_UPDATE === 'true') {
    fs.mkdirSync(PACTS_DIR, { recursive: true });
    fs.writeFileSync(file, generatedText.endsWith('\n') ? generatedText : `${generatedText}\n`);
  }
  const committed = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
  return {
    committed,
    generated: JSON.parse(generatedText),
    updated: env.PACT_UPDATE === '1' || env.PACT_UPDATE === 'true',
    file,
  };
}

export const STALE_HINT = 'The committed pact is stale: run `PACT_UPDATE=1 npm test` and commit contracts/pacts/.';

/**
 * The last test of a consumer file: its generated pact equals the committed one (or, with
 * PACT_UPDATE=1, replaces it).
 */
export function expectCommittedPactCurrent(generatedDir: string, consumer: string, provider: string): void {
  const { committed, generated, file } = committedPact(generatedDir, pactFileName(consumer, provider));
  if (!committed) throw new Error(`${file} is missing. ${STALE_HINT}`);
  try {
    expect(normalisePact(committed)).toEqual(normalisePact(generated));
  } catch (e) {
    throw new Error(`${STALE_HINT}\n${(e as Error).message}`, { cause: e });
  }
}

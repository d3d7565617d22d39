/** The start-up banner: where the mock is, and the seeded keys and secrets (shown once, here). */
import { maskUrl } from '../core/log';
import type { StateView } from './domain/control';
import type { SeededOrganization } from './domain/seed';
import { UI_PATH } from './http/dashboard';

export function formatBanner(
  url: string,
  organizations: SeededOrganization[] | undefined,
  extra: string[] = [],
): string {
  const lines = [
    `inklink-mock listening on ${url}`,
    `  InkLink API:  ${url}  (also under ${url}/api/v1)`,
    `  control API:  ${url}/__mock  (see ${url}/__mock/openapi.json)`,
    `  dashboard:    ${url}${UI_PATH}`,
  ];
  lines.push(...extra.map((e) => `  ${e}`));
  if (organizations) {
    for (const org of organizations) {
      lines.push('', `organization ${org.id} (${org.name})`);
      for (const k of org.apiKeys) lines.push(`  ${k.role.padEnd(6)} api-key: ${k.key}`);
      for (const e of org.endpoints) {
        lines.push(`  endpoint ${e.id}${e.enabled ? '' : ' (disabled)'} -> ${maskUrl(e.url)}`);
        lines.push(`    secret: ${e.secret}`);
        lines.push(`    events: ${e.event_types.join(', ')}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * The banner's body when the state was loaded from a state file: what is there, without a secret
 * or a key. The keys are stored only as hashes (they were shown when they were made), and the
 * secrets were shown by the answer that made them; printing them again on every start would show
 * them more often than create or rotate does. Keys appear masked, secrets as fingerprints.
 */
export function formatLoadedState(view: StateView): string {
  const lines: string[] = [];
  for (const org of view.organizations) {
    lines.push('', `organization ${org.id} (${org.name})`);
    for (const k of org.api_keys)
      lines.push(`  ${k.role.padEnd(6)} api-key: ${k.key}  (masked; the file keeps only its hash)`);
    for (const e of org.endpoints) {
      lines.push(`  endpoint ${e.id}${e.enabled ? '' : ' (disabled)'} -> ${e.url}`);
      lines.push(`    secret fingerprint: ${e.secret_fingerprint} (rotations: ${e.rotations})`);
    }
  }
  return lines.join('\n') + '\n';
}

/** The start-up banner: where the mock is, and the seeded keys and secrets (shown once, here). */
import type { SeededOrganization } from './domain/seed';

export function formatBanner(url: string, organizations: SeededOrganization[] | undefined, extra: string[] = []): string {
  const lines = [`inklink-mock listening on ${url}`, `  InkLink API:  ${url}  (also under ${url}/api/v1)`, `  control API:  ${url}/__mock  (see ${url}/__mock/openapi.json)`];
  lines.push(...extra.map((e) => `  ${e}`));
  if (organizations) {
    for (const org of organizations) {
      lines.push('', `organization ${org.id} (${org.name})`);
      for (const k of org.apiKeys) lines.push(`  ${k.role.padEnd(6)} api-key: ${k.key}`);
      for (const e of org.endpoints) {
        lines.push(`  endpoint ${e.id}${e.enabled ? '' : ' (disabled)'} -> ${e.url}`);
        lines.push(`    secret: ${e.secret}`);
        lines.push(`    events: ${e.event_types.join(', ')}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}

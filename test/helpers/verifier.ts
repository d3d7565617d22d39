/** Running verify against the mock and its broken variants, and reading the report. */
import { verify } from '../../src/verifier/run';
import type { CheckStatus, Report } from '../../src/verifier/types';
import { startVariant } from './broken-variants';

/** verify with every key and the mock trigger against a variant (or `correct`). */
export async function verifyVariant(name: string, trigger = 'mock'): Promise<Report> {
  const v = await startVariant(name);
  try {
    return await verify({
      baseUrl: v.url,
      adminKey: v.keys.admin,
      memberKey: v.keys.member,
      ownerKey: v.keys.owner,
      otherOrgKey: v.keys.otherOrg,
      trigger,
      // Ends as soon as a delivery arrives; long enough that a loaded 2-core machine's late retry is not a finding.
      deliveryWaitMs: 4000,
    });
  } finally {
    await v.close();
  }
}

export const withStatus = (r: Report, status: CheckStatus) =>
  r.results
    .filter((x) => x.status === status)
    .map((x) => x.name)
    .sort();
export const failing = (r: Report) => withStatus(r, 'fail');
export const explain = (r: Report) =>
  r.results
    .filter((x) => x.status === 'fail' || x.status === 'blocked')
    .map((x) => `${x.name} ${x.status}: ${x.evidence.map((e) => e.message).join(' | ')}`)
    .join('\n');

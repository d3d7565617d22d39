/** Media types: which declared content type (exact, a type/\* range, or any) an actual one matches. */

/** Matches a media type against declared ones (`application/json`, `application/*`, `*\/*`). */
export function matchContentType(actual: string | undefined, declared: string[]): string | undefined {
  if (!actual) return undefined;
  // The common case, without allocating: exactly the one declared type, parameters allowed.
  if (declared.length === 1) {
    const d = declared[0];
    if (actual === d || (actual.startsWith(d) && actual.charCodeAt(d.length) === 59) /* ; */) return d;
  }
  const mt = actual.split(';')[0].trim().toLowerCase();
  for (const d of declared) {
    const dl = d.toLowerCase();
    if (dl === mt) return d;
  }
  for (const d of declared) {
    const dl = d.toLowerCase();
    if (dl === '*/*') return d;
    if (dl.endsWith('/*') && mt.startsWith(dl.slice(0, -1))) return d;
  }
  return undefined;
}

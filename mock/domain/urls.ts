/** Endpoint URLs as the mock shows them. */

/** The URL without `user:pass@`: credentials in an endpoint URL are shown nowhere but in the create answer. */
export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

// Talking to the mock: the control API (with the control token when one is set), InkLink's rotate
// operation (with an admin key minted for the dashboard), and the live stream (Server-Sent Events
// read with fetch, so that the token travels in a header, never in a URL).
//
// What is kept where:
// - the control token: in sessionStorage (this tab, until it is closed), or nowhere;
// - the admin keys the dashboard mints to rotate secrets: in this module's memory only, one per
//   organization, gone when the page is closed or reloaded (docs/dashboard.md);
// - secrets and keys answered by rotate and mint: handed to the one-time dialog, never stored.

const TOKEN_KEY = 'inklink-mock.control-token';

export class Unauthorized extends Error {}

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = error?.code;
    this.details = error?.details ?? [];
    this.requestId = error?.requestId;
  }
}

let token = sessionStorage.getItem(TOKEN_KEY) ?? undefined;

export function hasToken() {
  return token !== undefined;
}

export function setToken(value) {
  token = value;
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function forgetToken() {
  token = undefined;
  sessionStorage.removeItem(TOKEN_KEY);
}

function controlHeaders(extra = {}) {
  return token === undefined ? extra : { ...extra, authorization: `Bearer ${token}` };
}

async function answer(res) {
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) throw new ApiError(res.status, json?.error);
  return json;
}

/** A control-API call; throws Unauthorized when the token is missing or wrong. */
export async function control(method, path, body) {
  const init = { method, headers: controlHeaders(), cache: 'no-store', credentials: 'omit' };
  if (body !== undefined) {
    init.headers = controlHeaders({ 'content-type': 'application/json' });
    init.body = JSON.stringify(body);
  }
  const res = await fetch(`/__mock${path}`, init);
  if (res.status === 401) throw new Unauthorized();
  return answer(res);
}

/** Admin keys minted for the dashboard, by organization: memory only. */
const adminKeys = new Map();
/** Their ids, so that the dashboard can say which keys are its own. */
export const dashboardKeyIds = new Set();

/** After a reset the minted keys are gone. */
export function forgetAdminKeys() {
  adminKeys.clear();
}

async function adminKey(organizationId) {
  let key = adminKeys.get(organizationId);
  if (key === undefined) {
    const minted = await control('POST', '/api-keys', { role: 'admin', organization_id: organizationId });
    dashboardKeyIds.add(minted.id);
    key = minted.api_key;
    adminKeys.set(organizationId, key);
  }
  return key;
}

/**
 * Rotates an endpoint's secret through InkLink's own operation, as a client would: resolves with
 * the new secret (to be shown once, then dropped by the caller).
 */
export async function rotateSecret(organizationId, endpointId) {
  for (let attempt = 0; ; attempt++) {
    const key = await adminKey(organizationId);
    const res = await fetch(`/webhook/endpoints/${encodeURIComponent(endpointId)}/rotate-secret`, {
      method: 'POST',
      headers: { 'api-key': key },
      cache: 'no-store',
      credentials: 'omit',
    });
    // The key was removed (a reset by someone else): mint another, once.
    if (res.status === 401 && attempt === 0) {
      adminKeys.delete(organizationId);
      continue;
    }
    return (await answer(res)).secret;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads the live stream until `signal` aborts, reconnecting after a break. `onOpen` runs once the
 * stream is open (load what to show then: nothing is missed in between), `onEvent(type, data)` for
 * each event, `onStatus('live' | 'reconnecting' | 'unauthorized')` when that changes. Resolves when
 * the token is refused (ask for it, then call again).
 */
export async function readStream({ onOpen, onEvent, onStatus, signal }) {
  while (!signal.aborted) {
    try {
      const res = await fetch('/__mock/stream', {
        headers: controlHeaders({ accept: 'text/event-stream' }),
        cache: 'no-store',
        credentials: 'omit',
        signal,
      });
      if (res.status === 401) {
        onStatus('unauthorized');
        await res.body?.cancel();
        return;
      }
      if (!res.ok || !res.body) throw new ApiError(res.status);
      const held = [];
      let opened = false;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      const opening = Promise.resolve(onOpen()).then(() => {
        opened = true;
        for (const [type, data] of held.splice(0)) onEvent(type, data);
        onStatus('live');
      });
      // Nothing loaded: the stream is dropped (and its held events with it), then opened again.
      opening.catch(() => reader.cancel());
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = parseEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (!event) continue;
          if (opened) onEvent(event.type, event.data);
          else held.push([event.type, event.data]);
        }
      }
      await opening;
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof Unauthorized) {
        onStatus('unauthorized');
        return;
      }
    }
    if (signal.aborted) return;
    onStatus('reconnecting');
    await sleep(2000);
  }
}

function parseEvent(block) {
  let type = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) type = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  if (data.length === 0) return undefined;
  try {
    return { type, data: JSON.parse(data.join('\n')) };
  } catch {
    return undefined;
  }
}

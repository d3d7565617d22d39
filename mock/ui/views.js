// What the dashboard shows, built from the model (main.js) with the DOM helpers: the organizations
// with their keys and endpoints, the delivery timeline (attempts with the fingerprint of the secret
// that signed them, and the rotations between them), the request journal and the fault rules.
import { ago, clock, fingerprintChip, h, shortId, visuallyHidden } from './dom.js';

/** A table in a scrollable region that the keyboard can reach (and scroll). */
function table(label, head, rows, empty) {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h(
    'div',
    { class: 'scroll', role: 'region', 'aria-label': label, tabindex: '0' },
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, label),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          head.map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}

// ---- organizations, keys, endpoints ------------------------------------------------------------

export function organizationsView(state, { onRotate, ownKeys }) {
  if (!state) return h('p', { class: 'empty' }, 'Loading…');
  return state.organizations.map((org) =>
    h(
      'article',
      { class: 'org', 'aria-labelledby': `org-${org.id}` },
      h('h3', { id: `org-${org.id}` }, org.name, ' ', h('span', { class: 'muted mono' }, org.id)),
      h(
        'div',
        { class: 'keys' },
        h('h4', {}, 'API keys'),
        h(
          'ul',
          { class: 'key-list' },
          org.api_keys.map((k) =>
            h(
              'li',
              {},
              h('span', { class: `role role-${k.role}` }, k.role),
              ' ',
              h('code', {}, k.key),
              ownKeys.has(k.id) ? h('span', { class: 'muted' }, ' (minted by this dashboard)') : null,
            ),
          ),
        ),
      ),
      h('h4', {}, 'Endpoints'),
      org.endpoints.length === 0
        ? h('p', { class: 'empty' }, 'No endpoints.')
        : h(
            'ul',
            { class: 'endpoints' },
            org.endpoints.map((e) => endpointView(org, e, onRotate)),
          ),
    ),
  );
}

function endpointView(org, e, onRotate) {
  const title = e.name ?? e.id;
  return h(
    'li',
    { class: `endpoint${e.enabled ? '' : ' disabled'}`, 'data-endpoint': e.id },
    h(
      'div',
      { class: 'endpoint-head' },
      h('strong', {}, title),
      h('span', { class: e.enabled ? 'pill on' : 'pill off' }, e.enabled ? 'enabled' : 'disabled'),
      h(
        'button',
        {
          type: 'button',
          class: 'small rotate',
          'data-key': `rotate-${e.id}`,
          onclick: (ev) => onRotate(org, e, ev.currentTarget),
        },
        'Rotate secret',
        visuallyHidden(` of ${title}`),
      ),
    ),
    h(
      'dl',
      {},
      h('dt', {}, 'Id'),
      h('dd', { class: 'mono' }, e.id),
      h('dt', {}, 'URL'),
      h('dd', { class: 'mono url' }, e.url),
      h('dt', {}, 'Events'),
      h('dd', {}, e.event_types.length === 10 ? 'all 10 types' : e.event_types.join(', ')),
      h('dt', {}, 'Secret'),
      h(
        'dd',
        { class: 'secret' },
        fingerprintChip(e.secret_fingerprint),
        h(
          'span',
          { class: 'muted' },
          e.rotations === 0
            ? ' never rotated'
            : [
                ` rotated ${e.rotations} ${e.rotations === 1 ? 'time' : 'times'}, last `,
                h('time', { datetime: e.secret_issued_at, title: e.secret_issued_at }, ago(e.secret_issued_at)),
              ],
        ),
      ),
    ),
  );
}

// ---- the delivery timeline ---------------------------------------------------------------------

const OUTCOME_TEXT = { pending: 'in flight', succeeded: 'delivered', failed: 'failed' };

function attemptView(a, isNewSecret) {
  const result =
    a.outcome === 'pending'
      ? 'in flight'
      : [a.status !== undefined ? `HTTP ${a.status}` : null, a.error ?? null].filter(Boolean).join(', ') ||
        OUTCOME_TEXT[a.outcome];
  return h(
    'li',
    { class: `attempt outcome-${a.outcome}` },
    h('span', { class: 'attempt-n' }, `#${a.attempt}`),
    ' ',
    h('time', { datetime: a.started_at }, clock(a.started_at)),
    ' signed with ',
    fingerprintChip(a.secret_fingerprint),
    isNewSecret ? h('span', { class: 'badge new-secret' }, 'new secret') : null,
    ' ',
    h('span', { class: `outcome outcome-${a.outcome}` }, result),
    a.duration_ms !== undefined ? h('span', { class: 'muted' }, ` in ${Math.round(a.duration_ms)} ms`) : null,
  );
}

/** `items`: newest first, { kind: 'delivery', delivery } or { kind: 'rotation', rotation }. */
export function timelineView(items, newSecretAttempts) {
  if (items.length === 0) return h('p', { class: 'empty' }, 'No delivery yet: emit an event.');
  return h(
    'ol',
    { class: 'timeline', 'aria-label': 'Deliveries and rotations, newest first' },
    items.map((item) => {
      if (item.kind === 'rotation') {
        const r = item.rotation;
        return h(
          'li',
          { class: 'rotation' },
          h('time', { datetime: r.secret_issued_at }, clock(r.secret_issued_at)),
          ' ',
          h('strong', {}, 'Secret rotated'),
          ' on ',
          shortId(r.endpoint_id, 20),
          ` (${r.role} key): `,
          fingerprintChip(r.previous_fingerprint),
          h('span', { 'aria-hidden': 'true' }, ' → '),
          visuallyHidden(' replaced by '),
          fingerprintChip(r.secret_fingerprint),
          '. Attempts from now on are signed with the new secret only.',
        );
      }
      const d = item.delivery;
      return h(
        'li',
        { class: `delivery delivery-${d.state}`, 'data-delivery': d.id },
        h(
          'div',
          { class: 'delivery-head' },
          h('time', { datetime: d.created_at }, clock(d.created_at)),
          ' ',
          h('span', { class: 'event-type' }, d.type),
          h('span', { 'aria-hidden': 'true' }, ' → '),
          visuallyHidden(' to '),
          shortId(d.endpoint_id, 20),
          ' ',
          h('span', { class: `state state-${d.state}` }, d.state.replace('_', ' ')),
          d.next_attempt_at ? h('span', { class: 'muted' }, ` next attempt ${clock(d.next_attempt_at)}`) : null,
        ),
        d.attempts.length
          ? h(
              'ol',
              { class: 'attempts' },
              d.attempts.map((a) => attemptView(a, newSecretAttempts.has(`${d.id}#${a.attempt}`))),
            )
          : null,
      );
    }),
  );
}

// ---- the request journal -----------------------------------------------------------------------

export function requestsView(requests) {
  return table(
    'API requests, newest first',
    ['Time', 'Method', 'Path', 'Operation', 'Status', 'Duration', 'Key', 'Request id', 'Self-check'],
    requests.map((r) =>
      h(
        'tr',
        { class: r.status === null ? 'no-answer' : `status-${Math.floor(r.status / 100)}xx` },
        h('td', {}, h('time', { datetime: r.time }, clock(r.time))),
        h('td', { class: 'mono' }, r.method),
        h('td', { class: 'mono path' }, r.path ?? h('span', { class: 'muted' }, '(no route)')),
        h('td', { class: 'mono' }, r.operation ?? '—'),
        h(
          'td',
          { class: 'num' },
          r.status === null
            ? h('span', { title: 'no answer: the connection was reset or closed' }, 'none')
            : String(r.status),
          r.fault_id ? h('span', { class: 'badge fault', title: r.fault_id }, 'fault') : null,
        ),
        h('td', { class: 'num' }, `${r.duration_ms.toFixed(1)} ms`),
        h(
          'td',
          {},
          r.api_key
            ? [h('code', {}, r.api_key), ' ', h('span', { class: `role role-${r.role}` }, r.role)]
            : h('span', { class: 'muted' }, 'none'),
        ),
        h('td', { class: 'mono' }, shortId(r.request_id, 8)),
        h(
          'td',
          {},
          r.violations.length === 0
            ? h('span', { class: 'muted' }, 'ok')
            : h(
                'span',
                {
                  class: 'badge violation',
                  title: r.violations.map((v) => `${v.check} ${v.location}: ${v.message}`).join('\n'),
                },
                `${r.violations.length} violation${r.violations.length > 1 ? 's' : ''}`,
              ),
        ),
      ),
    ),
    'No request matches.',
  );
}

// ---- fault rules -------------------------------------------------------------------------------

function effect(f) {
  const parts = [];
  if (f.latency_ms !== undefined)
    parts.push(
      f.latency_max_ms !== undefined ? `latency ${f.latency_ms}-${f.latency_max_ms} ms` : `latency ${f.latency_ms} ms`,
    );
  if (f.status !== undefined) parts.push(`answer ${f.status}`);
  if (f.reset) parts.push('reset the connection');
  return parts.join(', then ');
}

export function faultsView(faults, { onRemove }) {
  return table(
    'Fault rules, newest first',
    ['Rule', 'Operation', 'Effect', 'Remaining', 'Matched', 'Added', 'Action'],
    faults.map((f) =>
      h(
        'tr',
        {},
        h('td', { class: 'mono' }, f.id),
        h('td', { class: 'mono' }, f.operation_id === '*' ? 'every operation' : f.operation_id),
        h('td', {}, effect(f)),
        h('td', { class: 'num' }, f.remaining === null ? 'until removed' : String(f.remaining)),
        h('td', { class: 'num' }, String(f.matched)),
        h('td', {}, h('time', { datetime: f.created_at }, clock(f.created_at))),
        h(
          'td',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'small',
              'data-key': `remove-${f.id}`,
              onclick: (ev) => onRemove(f, ev.currentTarget),
            },
            'Remove',
            visuallyHidden(` rule ${f.id}`),
          ),
        ),
      ),
    ),
    'No fault rule: the mock behaves.',
  );
}

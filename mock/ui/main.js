// The dashboard: loads what the mock holds, keeps it current from the live stream, and wires the
// actions (rotate, emit, mint, fault rules, reset). See docs/dashboard.md.
import {
  ApiError,
  Unauthorized,
  control,
  dashboardKeyIds,
  forgetAdminKeys,
  forgetToken,
  hasToken,
  readStream,
  setToken,
} from './api.js';
import { createActions } from './actions.js';
import { formDialog } from './dialogs.js';
import { $, h, replaceChildren } from './dom.js';
import { faultsView, organizationsView, requestsView, timelineView } from './views.js';

const MAX_DELIVERIES = 300;
const MAX_ROTATIONS = 100;
const MAX_REQUESTS = 500;

const model = {
  /** From the control API's own document: event types, roles, fault operations. */
  vocabulary: { eventTypes: [], roles: [], operations: [] },
  state: undefined,
  /** Deliveries by id, in arrival order. */
  deliveries: new Map(),
  rotations: [],
  /** Newest first. */
  requests: [],
  faults: [],
  /** `GET /__mock/clock`: which clock, its time, the next due attempt. */
  clock: undefined,
};

// ---- rendering, batched to one pass per frame -----------------------------------------------------

const dirty = new Set();
let frame = 0;

function render(...parts) {
  for (const p of parts) dirty.add(p);
  frame ||= requestAnimationFrame(() => {
    frame = 0;
    const parts = [...dirty];
    dirty.clear();
    for (const p of parts) RENDERERS[p]();
  });
}

const RENDERERS = {
  state: () => {
    replaceChildren($('#orgs'), organizationsView(model.state, { onRotate: rotate, ownKeys: dashboardKeyIds }));
    const orgFilter = $('#filter-organization');
    const chosen = orgFilter.value;
    replaceChildren(
      orgFilter,
      h('option', { value: '' }, 'any'),
      (model.state?.organizations ?? []).map((o) => h('option', { value: o.id, selected: o.id === chosen }, o.name)),
    );
  },
  timeline: () => replaceChildren($('#timeline'), timelineView(timelineItems(), newSecretAttempts())),
  requests: () => replaceChildren($('#requests'), requestsView(model.requests.filter(requestFilter()))),
  faults: () => replaceChildren($('#faults'), faultsView(model.faults, { onRemove: removeFault })),
};

function timelineItems() {
  const items = [
    ...[...model.deliveries.values()].map((d) => ({ kind: 'delivery', at: d.created_at, delivery: d })),
    ...model.rotations.map((r) => ({ kind: 'rotation', at: r.secret_issued_at, rotation: r })),
  ];
  return items.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, 200);
}

/** Attempts signed with another secret than the previous attempt to the same endpoint. */
function newSecretAttempts() {
  const attempts = [...model.deliveries.values()].flatMap((d) => d.attempts.map((a) => ({ d, a })));
  attempts.sort((x, y) => (x.a.started_at < y.a.started_at ? -1 : x.a.started_at > y.a.started_at ? 1 : 0));
  const last = new Map();
  const marked = new Set();
  for (const { d, a } of attempts) {
    const before = last.get(d.endpoint_id);
    if (before !== undefined && before !== a.secret_fingerprint) marked.add(`${d.id}#${a.attempt}`);
    last.set(d.endpoint_id, a.secret_fingerprint);
  }
  return marked;
}

function requestFilter() {
  const operation = $('#filter-operation').value;
  const status = $('#filter-status').value;
  const organization = $('#filter-organization').value;
  return (r) =>
    (operation === '' || (operation === 'none' ? r.operation === null : r.operation === operation)) &&
    (status === '' ||
      (status === 'none' ? r.status === null : r.status !== null && `${Math.floor(r.status / 100)}xx` === status)) &&
    (organization === '' || r.organization_id === organization);
}

// ---- loading and the live stream ----------------------------------------------------------------

let noticeTimer;
function notice(text, kind = 'info') {
  const el = $('#notice');
  el.className = `notice ${kind}`;
  el.textContent = text;
  clearTimeout(noticeTimer);
  // Information fades after a while; an error stays until the next notice.
  if (kind === 'info') noticeTimer = setTimeout(() => (el.textContent = ''), 10_000);
}

/** On a virtual clock: its time and next due attempt, and the action that moves it (docs/mock.md). */
function showClock(clock) {
  model.clock = clock;
  const virtual = clock.clock === 'virtual';
  $('#clock-open').hidden = !virtual;
  const status = $('#clock-status');
  status.hidden = !virtual;
  status.textContent = virtual
    ? `Virtual time ${clock.now}; ${clock.next_due_at ? `next attempt due ${clock.next_due_at}` : 'no attempt due'}`
    : '';
}

function liveStatus(kind, text) {
  $('#live-status').className = `live ${kind}`;
  $('#live-text').textContent = text;
}

async function loadVocabulary() {
  const spec = await control('GET', '/openapi.json');
  const s = spec.components.schemas;
  model.vocabulary = {
    eventTypes: s.eventType.enum,
    roles: s.role.enum,
    operations: s.faultRequest.properties.operation_id.enum,
  };
  const select = $('#filter-operation');
  replaceChildren(
    select,
    h('option', { value: '' }, 'any'),
    model.vocabulary.operations.filter((o) => o !== '*').map((o) => h('option', { value: o }, o)),
    h('option', { value: 'none' }, '(no route)'),
  );
}

async function loadState() {
  model.state = await control('GET', '/state');
  render('state');
}

let stateReload;
function reloadStateSoon() {
  clearTimeout(stateReload);
  stateReload = setTimeout(() => loadState().catch(failed), 100);
}

/** Everything, from the control API (after the stream opened, so that nothing falls in between). */
async function loadAll() {
  const [state, deliveries, requests, faults, clock] = await Promise.all([
    control('GET', '/state'),
    control('GET', `/deliveries?limit=${MAX_DELIVERIES}`),
    control('GET', `/requests?limit=${MAX_REQUESTS}`),
    control('GET', '/faults'),
    control('GET', '/clock'),
  ]);
  showClock(clock);
  model.state = state;
  model.deliveries = new Map(deliveries.deliveries.reverse().map((d) => [d.id, withoutPayload(d)]));
  model.requests = requests.requests;
  model.faults = faults.faults;
  render('state', 'timeline', 'requests', 'faults');
}

/** Events were left out (a flood): reload everything, at most once a second. */
let reloading;
function reloadAllSoon() {
  reloading ??= setTimeout(() => {
    reloading = undefined;
    loadAll().catch(failed);
  }, 1000);
}

function withoutPayload(d) {
  const { payload: _payload, ...rest } = d;
  return rest;
}

function upsertDelivery(d) {
  model.deliveries.delete(d.id);
  model.deliveries.set(d.id, d);
  while (model.deliveries.size > MAX_DELIVERIES) model.deliveries.delete(model.deliveries.keys().next().value);
}

const ON_EVENT = {
  request(r) {
    if (model.requests.length && r.seq <= model.requests[0].seq) return;
    model.requests.unshift(r);
    model.requests.length = Math.min(model.requests.length, MAX_REQUESTS);
    render('requests');
  },
  rotation(r) {
    const endpoint = model.state?.organizations.flatMap((o) => o.endpoints).find((e) => e.id === r.endpoint_id);
    if (endpoint && r.rotations >= endpoint.rotations) {
      Object.assign(endpoint, {
        secret_fingerprint: r.secret_fingerprint,
        rotations: r.rotations,
        secret_issued_at: r.secret_issued_at,
      });
      render('state');
    }
    model.rotations.unshift(r);
    model.rotations.length = Math.min(model.rotations.length, MAX_ROTATIONS);
    render('timeline');
  },
  delivery(d) {
    upsertDelivery(d);
    render('timeline');
  },
  attempt(a) {
    const d = model.deliveries.get(a.delivery_id);
    if (!d) return;
    const { delivery_id: _d, event_id: _e, endpoint_id: _p, organization_id: _o, ...attempt } = a;
    d.attempts[attempt.attempt - 1] = attempt;
    if (attempt.outcome === 'pending') Object.assign(d, { state: 'in_flight', next_attempt_at: null });
    render('timeline');
  },
  faults({ faults }) {
    model.faults = faults;
    render('faults');
  },
  state({ change }) {
    if (change === 'reset') {
      forgetAdminKeys();
      dashboardKeyIds.clear();
      model.deliveries.clear();
      model.rotations = [];
      model.requests = [];
      render('timeline', 'requests');
    }
    reloadStateSoon();
  },
  requests_cleared() {
    model.requests = [];
    render('requests');
  },
  gap() {
    reloadAllSoon();
  },
};

let stream;

async function connect() {
  stream?.abort();
  const controller = new AbortController();
  stream = controller;
  liveStatus('connecting', 'Connecting…');
  await readStream({
    signal: controller.signal,
    onOpen: async () => {
      if (model.vocabulary.eventTypes.length === 0) await loadVocabulary();
      await loadAll();
    },
    onEvent: (type, data) => ON_EVENT[type]?.(data),
    onStatus: (status) => {
      if (status === 'live') liveStatus('on', 'Live');
      else if (status === 'reconnecting') liveStatus('off', 'Reconnecting…');
      else if (status === 'unauthorized') liveStatus('off', 'Control token needed');
    },
  });
  if (!controller.signal.aborted && stream === controller) askToken();
}

// ---- the control token --------------------------------------------------------------------------

let askingToken = false;

function askToken(opener) {
  if (askingToken) return;
  askingToken = true;
  formDialog({
    title: 'Control token',
    intro:
      'This mock requires its control token (--control-token or INKLINK_MOCK_CONTROL_TOKEN). The dashboard ' +
      'keeps it in this tab only (sessionStorage), until you close the tab.',
    fields: [{ name: 'token', label: 'Control token', type: 'password', required: true }],
    submitLabel: 'Use this token',
    opener,
    onClose: () => (askingToken = false),
    submit: async ({ token }) => {
      if (!token.trim()) throw new Error('Enter the token.');
      setToken(token.trim());
      try {
        await control('GET', '/health');
      } catch (e) {
        forgetToken();
        throw e instanceof Unauthorized ? new Error('The mock refused this token.') : e;
      }
      $('#token-open').hidden = false;
      connect();
    },
  });
}

function failed(e) {
  if (e instanceof Unauthorized) return askToken();
  notice(
    e instanceof ApiError ? `${e.message}${e.code ? ` (${e.status} ${e.code})` : ''}` : String(e.message ?? e),
    'error',
  );
}

// ---- start ----------------------------------------------------------------------------------------

const { rotate, emitEvent, mintKey, addFault, removeFault, reset, advanceClock } = createActions({
  model,
  notice,
  failed,
  reloadStateSoon,
  showClock,
});

function start() {
  $('#emit-open').addEventListener('click', (e) => emitEvent(e.currentTarget));
  $('#mint-open').addEventListener('click', (e) => mintKey(e.currentTarget));
  $('#fault-open').addEventListener('click', (e) => addFault(e.currentTarget));
  $('#clock-open').addEventListener('click', (e) => advanceClock(e.currentTarget));
  $('#reset-open').addEventListener('click', (e) => reset(e.currentTarget));
  $('#requests-clear').addEventListener('click', () => control('DELETE', '/requests').catch(failed));
  $('#request-filters').addEventListener('change', () => render('requests'));
  $('#request-filters').addEventListener('submit', (e) => e.preventDefault());
  const forget = $('#token-open');
  forget.hidden = !hasToken();
  forget.addEventListener('click', () => {
    forgetToken();
    forget.hidden = true;
    notice('The control token was forgotten.');
    connect();
  });
  render('state', 'timeline', 'requests', 'faults');
  connect();
  // "2 min ago" stays true.
  setInterval(() => render('state'), 30_000);
}

start();

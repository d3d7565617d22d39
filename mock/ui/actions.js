// The dashboard's actions: rotate (through InkLink's own operation), emit an event, mint a key,
// add and remove fault rules, reset, advance a virtual clock. Each reports through `notice`, or `failed` when the mock
// refuses; what changed arrives through the live stream.
import { control, rotateSecret } from './api.js';
import { confirmDialog, formDialog, showOnce } from './dialogs.js';

/** The actions, bound to the page's model and its ways of telling what happened. */
export function createActions({ model, notice, failed, reloadStateSoon, showClock }) {
  async function rotate(org, endpoint, opener) {
    try {
      const secret = await rotateSecret(org.id, endpoint.id);
      showOnce({
        title: 'New signing secret',
        intro:
          `The new secret of ${endpoint.name ?? endpoint.id}. Every delivery attempt to this endpoint is ` +
          `signed with it from now on; the previous secret no longer verifies.`,
        value: secret,
        opener,
      });
      reloadStateSoon();
    } catch (e) {
      failed(e);
    }
  }

  function endpointChoices() {
    const orgs = model.state?.organizations ?? [];
    return [
      ['', 'every subscribed endpoint'],
      ...orgs.map((o) => [`org:${o.id}`, `the endpoints of ${o.name}`]),
      ...orgs.flatMap((o) => o.endpoints.map((e) => [`endpoint:${e.id}`, `${e.name ?? e.id} only`])),
    ];
  }

  function emitEvent(opener) {
    formDialog({
      title: 'Emit an event',
      intro:
        'The mock delivers it now to each enabled endpoint subscribed to its type, signed with the secret in ' +
        'force at each attempt.',
      fields: [
        { name: 'type', label: 'Event type', type: 'select', options: model.vocabulary.eventTypes.map((t) => [t, t]) },
        { name: 'target', label: 'Deliver to', type: 'select', options: endpointChoices() },
      ],
      submitLabel: 'Emit',
      opener,
      submit: async ({ type, target }) => {
        const body = { type };
        if (target.startsWith('org:')) body.organization_id = target.slice(4);
        if (target.startsWith('endpoint:')) body.endpoint_id = target.slice(9);
        const r = await control('POST', '/events', body);
        const skipped = r.skipped.length
          ? `, ${r.skipped.length} skipped (${r.skipped.map((s) => s.reason).join('; ')})`
          : '';
        notice(
          `Event ${r.event_id} emitted: ${r.deliveries.length} ` +
            `${r.deliveries.length === 1 ? 'delivery' : 'deliveries'}${skipped}.`,
        );
      },
    });
  }

  function mintKey(opener) {
    formDialog({
      title: 'Mint an api key',
      fields: [
        {
          name: 'role',
          label: 'Role',
          type: 'select',
          options: model.vocabulary.roles.map((r) => [r, r]),
          value: 'owner',
        },
        {
          name: 'organization',
          label: 'Organization',
          type: 'select',
          options: [['', 'a new organization'], ...(model.state?.organizations ?? []).map((o) => [o.id, o.name])],
        },
      ],
      submitLabel: 'Mint',
      opener,
      submit: async ({ role, organization }) => {
        const r = await control('POST', '/api-keys', organization ? { role, organization_id: organization } : { role });
        showOnce({
          title: 'New api key',
          intro: `Role ${r.role}, organization ${r.organization_id}. Use it in the api-key header.`,
          value: r.api_key,
          opener,
        });
      },
    });
  }

  function addFault(opener) {
    const number = (v) => (v.trim() === '' ? undefined : Number(v));
    formDialog({
      title: 'Add a fault rule',
      intro:
        "The mock misbehaves on purpose for InkLink's operations (never for the control API). Give a " +
        'latency, a status, or a connection reset.',
      fields: [
        {
          name: 'operation_id',
          label: 'Operation',
          type: 'select',
          options: model.vocabulary.operations.map((o) => [o, o === '*' ? 'every operation (*)' : o]),
        },
        {
          name: 'latency_ms',
          label: 'Latency (ms)',
          type: 'number',
          min: 0,
          hint: 'The operation runs at once; its answer is held this long.',
        },
        {
          name: 'latency_max_ms',
          label: 'Latency up to (ms)',
          type: 'number',
          min: 0,
          hint: 'Optional: a latency drawn between the two.',
        },
        { name: 'status', label: 'Answer this status instead', type: 'number', min: 400, max: 599 },
        { name: 'reset', label: 'Reset the connection instead of answering', type: 'checkbox' },
        { name: 'times', label: 'For the next N requests only', type: 'number', min: 1, hint: 'Empty: until removed.' },
      ],
      submitLabel: 'Add rule',
      opener,
      submit: async (v) => {
        const body = { operation_id: v.operation_id };
        for (const k of ['latency_ms', 'latency_max_ms', 'status', 'times'])
          if (number(v[k]) !== undefined) body[k] = number(v[k]);
        if (v.reset) body.reset = true;
        const f = await control('POST', '/faults', body);
        notice(`Fault rule ${f.id} added.`);
      },
    });
  }

  async function removeFault(f) {
    try {
      await control('DELETE', `/faults/${encodeURIComponent(f.id)}`);
      notice(`Fault rule ${f.id} removed.`);
    } catch (e) {
      failed(e);
    }
  }

  async function reset(opener) {
    const yes = await confirmDialog({
      title: 'Reset the mock?',
      message:
        'The state goes back to what the mock started with (rotated secrets, minted keys and created ' +
        'endpoints are gone), both journals are emptied, pending deliveries are cancelled and every fault ' +
        'rule is removed.',
      confirmLabel: 'Reset',
      danger: true,
      opener,
    });
    if (!yes) return;
    try {
      await control('POST', '/reset');
      notice('The mock was reset.');
    } catch (e) {
      failed(e);
    }
  }

  function advanceClock(opener) {
    formDialog({
      title: 'Advance the clock',
      intro:
        'The mock runs on a virtual clock: time moves only when told, and the delivery attempts that fall due ' +
        'on the way are made in order, each at its own moment.',
      fields: [
        {
          name: 'by',
          label: 'Advance by',
          hint: 'A duration: 250ms, 90s, 5m, 2h (72h for three days). Empty: to the next due delivery attempt.',
        },
      ],
      submitLabel: 'Advance',
      opener,
      submit: async ({ by }) => {
        const r = await control('POST', '/clock/advance', by.trim() ? { by: by.trim() } : { to: 'next' });
        showClock(r);
        notice(
          `Clock advanced by ${r.advanced_ms} ms to ${r.now}: ${r.fired} ` +
            `${r.fired === 1 ? 'delivery attempt' : 'delivery attempts'} made.`,
        );
      },
    });
  }

  return { rotate, emitEvent, mintKey, addFault, removeFault, reset, advanceClock };
}

/**
 * The battery: named checks of a webhook receiver, each a handful of deliveries built as InkLink
 * sends them (or tampered with) and the answers it expects. They run through a context that only
 * sends and records, so the same checks test an in-process handler and a URL.
 *
 * A check that expects refusals first sends a control: a valid delivery. When the receiver refuses
 * that too, a refusal proves nothing, and the check is skipped as inconclusive rather than passed
 * (valid_deliveries_accepted fails and says why).
 */
import { EVENT_TYPES } from '../../core/inklink';
import { passed, failed, skipped, type CheckOutcome } from '../../core/check-report';
import { generateSecret, sign } from '../../core/webhooks';
import {
  attempt,
  changedValue,
  newEvent,
  newEventId,
  nowSeconds,
  reformatted,
  withBody,
  withHeader,
  withoutHeader,
} from './deliveries';
import { describeAnswer, isLate, ms, type Verdict } from './judge';
import type { Delivery, DeliveryExchange, Expectation, ReceiverEvidence } from './types';

export type Outcome = CheckOutcome<ReceiverEvidence>;

export interface Sent {
  exchange: DeliveryExchange;
  verdict: Verdict;
}

export interface CheckContext {
  readonly secret: string;
  readonly oldSecret?: string;
  readonly timeoutMs: number;
  readonly toleranceSeconds: number;
  /** Sends one delivery for the running check and records the exchange. */
  send(purpose: string, delivery: Delivery, expect: Expectation): Promise<Sent>;
  /** Every exchange of the run so far. */
  exchanges(): readonly DeliveryExchange[];
}

export interface ReceiverCheck {
  name: string;
  description: string;
  run(ctx: CheckContext): Promise<Outcome>;
}

/** The event type of the deliveries that are not about a type. */
export const PROBE_TYPE = EVENT_TYPES[0];
/** An event type InkLink may add later: the receiver does not know it yet. */
export const UNKNOWN_TYPE = 'kyc.result.expired';
/** How far inside or outside the tolerance the timestamp checks sign (room for clock skew). */
export const CLOCK_MARGIN_SECONDS = 30;
const SIGNED_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

interface Probe {
  purpose: string;
  /** Built at send time, so that its timestamp is fresh. */
  build(): Delivery;
  expect: Expectation;
}

const valid = (ctx: CheckContext, type = PROBE_TYPE) => attempt(newEvent(type), ctx.secret);

/** Sends the probes in turn; fails with one piece of evidence per wrong answer. */
async function probe(ctx: CheckContext, probes: Probe[], passSummary: string, control: boolean): Promise<Outcome> {
  if (control) {
    const c = await ctx.send('control: a valid delivery', valid(ctx), 'accept');
    if (!c.verdict.ok) {
      return skipped(
        `inconclusive: the control (a valid delivery) got ${describeAnswer(c.exchange.answer)}, so a refusal ` +
          'proves nothing',
      );
    }
  }
  const bad: ReceiverEvidence[] = [];
  const answers: DeliveryExchange[] = [];
  for (const p of probes) {
    const { exchange, verdict } = await ctx.send(p.purpose, p.build(), p.expect);
    answers.push(exchange);
    if (!verdict.ok) bad.push({ message: `${p.purpose}: ${verdict.message}`, exchange: exchange.seq });
  }
  if (bad.length) return failed(bad);
  const statuses = [...new Set(answers.map((e) => e.answer.status))].join('/');
  return passed(`${passSummary} (${statuses}, slowest ${ms(Math.max(...answers.map((e) => e.answer.durationMs)))})`);
}

export const validDeliveriesAccepted: ReceiverCheck = {
  name: 'valid_deliveries_accepted',
  description:
    'A delivery of each event type, built and signed as InkLink sends it, is accepted (2xx within the ' +
    'delivery timeout).',
  run: (ctx) =>
    probe(
      ctx,
      EVENT_TYPES.map((type) => ({
        purpose: `a valid ${type} delivery`,
        build: () => valid(ctx, type),
        expect: 'accept',
      })),
      `${EVENT_TYPES.length} event types accepted`,
      false,
    ),
};

export const wrongSecretRefused: ReceiverCheck = {
  name: 'wrong_secret_refused',
  description: 'A delivery signed with another secret is refused (non-2xx).',
  run: (ctx) =>
    probe(
      ctx,
      [
        {
          purpose: 'signed with another secret',
          build: () => attempt(newEvent(PROBE_TYPE), generateSecret()),
          expect: 'refuse',
        },
      ],
      'refused',
      true,
    ),
};

export const oldSecretRefused: ReceiverCheck = {
  name: 'old_secret_refused',
  description:
    'After a rotation, a delivery signed with the previous secret is refused and one signed with the current ' +
    'secret is accepted: InkLink stops using the old secret at once.',
  run(ctx) {
    const old = ctx.oldSecret;
    if (!old)
      return Promise.resolve(
        skipped('needs the secret the receiver held before its last rotation (--old-secret, or oldSecret)'),
      );
    return probe(
      ctx,
      [
        { purpose: 'signed with the old secret', build: () => attempt(newEvent(PROBE_TYPE), old), expect: 'refuse' },
        { purpose: 'signed with the current secret', build: () => valid(ctx), expect: 'accept' },
      ],
      'old secret refused, current secret accepted',
      false,
    );
  },
};

export const tamperedBodyRefused: ReceiverCheck = {
  name: 'tampered_body_refused',
  description:
    'A body changed after signing is refused: a changed value, and the same JSON with other white space (the ' +
    'signature covers the exact bytes received, never a re-serialised body).',
  run: (ctx) =>
    probe(
      ctx,
      [
        {
          purpose: 'a value of the body changed after signing',
          build: () => changed(valid(ctx), changedValue),
          expect: 'refuse',
        },
        {
          purpose:
            'the same JSON with other white space (signed over the original bytes; accepting it means the ' +
            'signature is checked over a re-serialised body, which refuses genuine deliveries whose bytes ' +
            'differ)',
          build: () => changed(valid(ctx), reformatted),
          expect: 'refuse',
        },
      ],
      'both refused',
      true,
    ),
};

const changed = (d: Delivery, f: (body: string) => string) => withBody(d, f(d.body));

export const tamperedIdRefused: ReceiverCheck = {
  name: 'tampered_id_refused',
  description: 'A delivery whose webhook-id was changed after signing is refused.',
  run: (ctx) =>
    probe(
      ctx,
      [
        {
          purpose: 'webhook-id changed after signing',
          build: () => withHeader(valid(ctx), 'webhook-id', newEventId()),
          expect: 'refuse',
        },
      ],
      'refused',
      true,
    ),
};

export const tamperedTimestampRefused: ReceiverCheck = {
  name: 'tampered_timestamp_refused',
  description:
    'A delivery whose webhook-timestamp was changed after signing (by a minute, still within the tolerance) ' +
    'is refused.',
  run: (ctx) =>
    probe(
      ctx,
      [
        {
          purpose: 'webhook-timestamp moved a minute back after signing',
          build: () => {
            const d = valid(ctx);
            return withHeader(d, 'webhook-timestamp', String(Number(d.headers['webhook-timestamp']) - 60));
          },
          expect: 'refuse',
        },
      ],
      'refused',
      true,
    ),
};

export const missingHeaderRefused: ReceiverCheck = {
  name: 'missing_header_refused',
  description: 'A delivery without webhook-id, without webhook-timestamp, or without webhook-signature is refused.',
  run: (ctx) =>
    probe(
      ctx,
      SIGNED_HEADERS.map((h) => ({
        purpose: `without ${h}`,
        build: () => withoutHeader(valid(ctx), h),
        expect: 'refuse' as const,
      })),
      'all 3 refused',
      true,
    ),
};

/** Two valid deliveries signed `offset` seconds ago and `offset` seconds ahead. */
function signedAt(ctx: CheckContext, offset: number, expect: Expectation): Probe[] {
  return [
    {
      purpose: `signed ${offset} s ago`,
      build: () => attempt(newEvent(PROBE_TYPE), ctx.secret, nowSeconds() - offset),
      expect,
    },
    {
      purpose: `signed ${offset} s in the future`,
      build: () => attempt(newEvent(PROBE_TYPE), ctx.secret, nowSeconds() + offset),
      expect,
    },
  ];
}

export const timestampOutsideToleranceRefused: ReceiverCheck = {
  name: 'timestamp_outside_tolerance_refused',
  description:
    'A correctly signed delivery whose timestamp is beyond the tolerance (5 minutes), in the past or in the ' +
    'future, is refused: a replay.',
  run: (ctx) => probe(ctx, signedAt(ctx, ctx.toleranceSeconds + CLOCK_MARGIN_SECONDS, 'refuse'), 'both refused', true),
};

export const timestampInsideToleranceAccepted: ReceiverCheck = {
  name: 'timestamp_inside_tolerance_accepted',
  description:
    'A correctly signed delivery whose timestamp is just inside the tolerance, in the past or in the future, ' +
    'is accepted (clocks differ; retries are re-signed).',
  run: (ctx) =>
    probe(ctx, signedAt(ctx, ctx.toleranceSeconds - CLOCK_MARGIN_SECONDS, 'accept'), 'both accepted', false),
};

/** A valid delivery whose webhook-signature carries another `v1` signature too, before or after the valid one. */
function withOtherSignature(ctx: CheckContext, validFirst: boolean): Delivery {
  const d = valid(ctx);
  const other = sign(generateSecret(), d.headers['webhook-id'], Number(d.headers['webhook-timestamp']), d.body);
  const own = d.headers['webhook-signature'];
  return withHeader(d, 'webhook-signature', validFirst ? `${own} ${other}` : `${other} ${own}`);
}

export const multipleSignaturesAccepted: ReceiverCheck = {
  name: 'multiple_signatures_accepted',
  description:
    'A webhook-signature header with several space-separated signatures, one of them valid, is accepted ' +
    '(Standard Webhooks allows several), whichever comes first.',
  run: (ctx) =>
    probe(
      ctx,
      [
        {
          purpose: 'another v1 signature, then the valid one',
          build: () => withOtherSignature(ctx, false),
          expect: 'accept',
        },
        {
          purpose: 'the valid signature, then another v1 one',
          build: () => withOtherSignature(ctx, true),
          expect: 'accept',
        },
      ],
      'both accepted',
      false,
    ),
};

export const duplicateAccepted: ReceiverCheck = {
  name: 'duplicate_accepted',
  description:
    'The same event (same webhook-id and body) delivered twice, as a retry does, is accepted both times: ' +
    'InkLink delivers at least once, the receiver drops duplicates.',
  run(ctx) {
    const event = newEvent(PROBE_TYPE);
    return probe(
      ctx,
      [
        { purpose: `${event.id}, first delivery`, build: () => attempt(event, ctx.secret), expect: 'accept' },
        {
          purpose: `${event.id} again (a retry, re-signed)`,
          build: () => attempt(event, ctx.secret),
          expect: 'accept',
        },
      ],
      'both copies accepted',
      false,
    );
  },
};

export const unknownEventTypeNot5xx: ReceiverCheck = {
  name: 'unknown_event_type_not_5xx',
  description:
    `A validly signed delivery of an event type the receiver may not know yet (${UNKNOWN_TYPE}) ` +
    'is not answered 5xx (2xx to ignore it is best).',
  run: (ctx) =>
    probe(
      ctx,
      [{ purpose: `a valid ${UNKNOWN_TYPE} delivery`, build: () => valid(ctx, UNKNOWN_TYPE), expect: 'not_5xx' }],
      'not a 5xx',
      false,
    ),
};

export const answersWithinTimeout: ReceiverCheck = {
  name: 'answers_within_timeout',
  description:
    'Every delivery of the run is answered within the delivery timeout (15 s unless set): a later answer ' +
    'counts as a failed attempt and InkLink retries.',
  async run(ctx) {
    const all = ctx.exchanges();
    if (all.length === 0) return skipped('no delivery was sent');
    const late = all.filter((e) => isLate(e.answer, ctx.timeoutMs));
    if (late.length) {
      return failed(
        late.map((e) => ({
          message: `${e.check}: ${e.purpose}: ${describeAnswer(e.answer)}, beyond ${ms(ctx.timeoutMs)}`,
          exchange: e.seq,
        })),
      );
    }
    return passed(
      `${all.length} deliveries, the slowest answered in ` +
        `${ms(Math.max(...all.map((e) => e.answer.durationMs)))} (limit ${ms(ctx.timeoutMs)})`,
    );
  },
};

/** The battery in run order (answers_within_timeout runs after it and after the drill, over every delivery). */
export const BATTERY: ReceiverCheck[] = [
  validDeliveriesAccepted,
  wrongSecretRefused,
  oldSecretRefused,
  tamperedBodyRefused,
  tamperedIdRefused,
  tamperedTimestampRefused,
  missingHeaderRefused,
  timestampOutsideToleranceRefused,
  timestampInsideToleranceAccepted,
  multipleSignaturesAccepted,
  duplicateAccepted,
  unknownEventTypeNot5xx,
];

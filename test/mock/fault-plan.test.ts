/** The fault plan itself (no HTTP): bounds, times, newest-rule-wins, and the random latency. */
import { FaultPlan, MAX_LATENCY_MS } from '../../mock/domain/faults';

const OPS = ['rotateWebhookEndpointSecret', 'createWebhookEndpoint'];

describe('FaultPlan', () => {
  it('refuses rules out of bounds, as the control API schema does', () => {
    const plan = new FaultPlan(OPS);
    const fields = (input: object) => {
      const r = plan.add({ operation_id: '*', ...input });
      return r.ok ? [] : r.error.details!.map((d) => d.field);
    };
    expect(fields({ status: 99 })).toEqual(['status']);
    expect(fields({ status: 600 })).toEqual(['status']);
    expect(fields({ status: 502.5 })).toEqual(['status']);
    expect(fields({ latency_ms: -1 })).toEqual(['latency_ms']);
    expect(fields({ latency_ms: MAX_LATENCY_MS + 1 })).toEqual(['latency_ms']);
    expect(fields({ latency_ms: 10, latency_max_ms: 5 })).toEqual(['latency_max_ms']);
    expect(fields({ status: 503, times: 0 })).toEqual(['times']);
    expect(fields({ status: 503, reset: true })).toEqual(['reset']);
    expect(fields({})).toEqual(['']);
    expect(plan.add({ operation_id: 'deleteEverything', status: 500 }).ok).toBe(false);
    expect(plan.active).toBe(false);
  });

  it('draws a random latency uniformly between the bounds, both included', () => {
    let next = 0;
    const plan = new FaultPlan(OPS, () => next);
    plan.add({ operation_id: 'rotateWebhookEndpointSecret', latency_ms: 100, latency_max_ms: 200 });
    const draw = (r: number) => {
      next = r;
      return plan.take('rotateWebhookEndpointSecret')!.delayMs;
    };
    expect(draw(0)).toBe(100);
    expect(draw(0.5)).toBe(150);
    expect(draw(0.999999)).toBe(200);
    expect(plan.take('createWebhookEndpoint')).toBeUndefined();
  });

  it('applies the newest matching rule, `times` times, then removes it', () => {
    const plan = new FaultPlan(OPS);
    plan.add({ operation_id: '*', status: 500 });
    plan.add({ operation_id: 'rotateWebhookEndpointSecret', status: 503, times: 2 });
    const statuses = Array.from({ length: 4 }, () => plan.take('rotateWebhookEndpointSecret')!.status);
    expect(statuses).toEqual([503, 503, 500, 500]);
    expect(plan.list()).toHaveLength(1);
  });
});

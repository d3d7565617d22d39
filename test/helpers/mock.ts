/** Starts the mock in-process on a random port, self-check on, quiet, with a short retry schedule. */
import { createMockServer, type MockServer } from '../../mock/server';
import type { MockServerOptions } from '../../mock/config';
import type { Role } from '../../core/inklink';
import { startReceiver, type Receiver } from './receiver';

export interface TestMock {
  mock: MockServer;
  url: string;
  key(role: Role, org?: number): string;
  endpoint(org?: number, index?: number): { id: string; secret: string };
  close(): Promise<void>;
}

export async function startMock(options: MockServerOptions = {}): Promise<TestMock> {
  const mock = createMockServer({
    logLevel: 'silent',
    selfCheck: true,
    retrySchedule: [0, 100, 200],
    deliveryTimeoutMs: 2000,
    ...options,
  });
  const url = await mock.listen();
  return {
    mock,
    url,
    key(role, org = 0) {
      return mock.seeded[org].apiKeys.find((k) => k.role === role)!.key;
    },
    endpoint(org = 0, index = 0) {
      const e = mock.seeded[org].endpoints[index];
      return { id: e.id, secret: e.secret };
    },
    close: () => mock.close(),
  };
}

/** A mock whose seeded endpoints deliver to a test receiver; `close` stops both. */
export async function startMockWithReceiver(
  options: MockServerOptions = {},
): Promise<{ m: TestMock; receiver: Receiver; close: () => Promise<void> }> {
  const receiver = await startReceiver();
  const m = await startMock({ webhookUrl: receiver.url, ...options });
  return {
    m,
    receiver,
    close: async () => {
      await m.close();
      await receiver.close();
    },
  };
}

/**
 * `startMockWithReceiver` for a whole test file: started before its tests, stopped after them.
 * Read `m` and `receiver` inside the tests (they are set once `beforeAll` has run).
 */
export function mockWithReceiverPerFile(options: MockServerOptions = {}): { m: TestMock; receiver: Receiver } {
  const ctx = {} as { m: TestMock; receiver: Receiver; close?: () => Promise<void> };
  beforeAll(async () => {
    Object.assign(ctx, await startMockWithReceiver(options));
  });
  afterAll(() => ctx.close?.());
  return ctx;
}

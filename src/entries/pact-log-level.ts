/** The log level of Pact's native core under `inklink-mock/jest`: `INKLINK_PACT_LOG_LEVEL`, or `warn`. */
export const PACT_LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type PactCoreLogLevel = (typeof PACT_LOG_LEVELS)[number];

export const PACT_LOG_LEVEL_ENV = 'INKLINK_PACT_LOG_LEVEL';

export function pactLogLevel(env: NodeJS.ProcessEnv): PactCoreLogLevel {
  const value = env[PACT_LOG_LEVEL_ENV]?.trim().toLowerCase();
  if (value === undefined || value === '') return 'warn';
  if ((PACT_LOG_LEVELS as readonly string[]).includes(value)) return value as PactCoreLogLevel;
  throw new Error(`${PACT_LOG_LEVEL_ENV}=${env[PACT_LOG_LEVEL_ENV]}: use one of ${PACT_LOG_LEVELS.join(', ')}`);
}

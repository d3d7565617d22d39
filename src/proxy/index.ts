/** The validating proxy: forwards live traffic and checks each exchange against openapi.json and InkLink's rules. */
export {
  startValidatingProxy,
  VIOLATIONS_HEADER,
  REPORT_PATH,
  type ValidatingProxy,
  type ValidatingProxyOptions,
} from './server';
export type { ProxyRule, ProxyViolation } from './rules';
export type { ProxyReport, ProxyFinding } from './recording';

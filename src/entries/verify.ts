/// <reference types="node" preserve="true" />
/**
 * `inklink-mock/verify`: check an implementation against openapi.json and the documented behaviour
 * (`verify`, what `inklink-mock verify` runs), validate exchanges against the spec
 * (`createValidator`, what `inklink-mock validate` uses), and check a webhook receiver against
 * InkLink's delivery rules (`checkReceiver`, what `inklink-mock check-receiver` runs). It never
 * loads the mock.
 */
export { verify, CHECK_INFO, type VerifyOptions } from '../verifier/run';
export { formatTable, formatJUnit, formatJson } from '../verifier/report';
export type { Report, CheckResult, CheckInfo, CheckStatus, Exchange, Evidence } from '../verifier/types';
export {
  createValidator,
  getValidator,
  type Validator,
  type Violation,
  type CheckName,
  type RequestToValidate,
  type ResponseToValidate,
} from '../../core/validator';
export { getSpec, compileSpec, loadSpecFile, CompiledSpec, type Operation } from '../../core/spec';
// check-receiver in-process (a handler in a unit test); over HTTP it is the CLI's or the root entry's.
export * from '../receiver-check';

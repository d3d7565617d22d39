/**
 * The control API's own document (mock/control-api.json), compiled once per process: the mock's
 * control routes are dispatched and their bodies validated against it, and `inklink-mock trigger`
 * checks the event it is about to send against the same schemas before it sends anything.
 */
import { compileSpec, type CompiledSpec } from '../core/spec';
import controlDocument from './control-api.json';

let compiled: CompiledSpec | undefined;

export function getControlSpec(): CompiledSpec {
  compiled ??= compileSpec(controlDocument);
  return compiled;
}

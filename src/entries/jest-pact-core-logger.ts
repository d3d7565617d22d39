/**
 * What Jest loads for `@pact-foundation/pact-core/src/logger` (Pact 16) and `…/dist/logger` (Pact
 * 17), which Pact's own logger requires: the instance of ./jest-pact-core.ts, at its level.
 */
import { requireBesidePact } from './jest-node-require';
import './jest-pact-core';

function load(): unknown {
  try {
    return requireBesidePact('@pact-foundation/pact-core/dist/logger');
  } catch {
    return requireBesidePact('@pact-foundation/pact-core/src/logger');
  }
}

export = load();

/**
 * Jest cannot load ES modules through `require`, and @pact-foundation/pact 16 requires the
 * ESM-only https-proxy-agent 9. Node 20.19+ can (require(esm)), so jest maps the module here and
 * this file loads it with Node's own require. See moduleNameMapper in jest.config.js.
 */
const { createRequire } = require('node:module');

module.exports = createRequire(__filename)('https-proxy-agent');

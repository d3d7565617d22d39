/** Pact under Jest needs one mapping (https-proxy-agent is ESM only); inklink-mock/jest adds it. */
module.exports = require('inklink-mock/jest').withInklinkMock({ preset: 'ts-jest', testTimeout: 30000 });

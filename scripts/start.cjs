#!/usr/bin/env node
/**
 * `npm start [-- serve options]`: builds only when the sources changed since the last build, then
 * runs `inklink-mock serve` in this same process. package.json runs it with `exec`, so npm's
 * shell is replaced by this process: npm passes SIGINT and SIGTERM to it directly, and the server
 * stops with npm instead of being left behind, still answering.
 */
require('./build.cjs').ensureBuilt();
require('../dist/src/cli.js').run(['serve', ...process.argv.slice(2)]);

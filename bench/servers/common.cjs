/** Shared by the ceiling servers: the port flag and the one key and endpoint they know. */
const i = process.argv.indexOf('--port');
const port = i > 0 ? Number(process.argv[i + 1]) : 0;
const org = process.env.BENCH_ORG_ID || 'org_bench';
const keys = new Map([
  [process.env.BENCH_API_KEY || 'secret_live_benchbenchbench', { organizationId: org, role: 'owner' }],
]);
const endpoints = new Map([[process.env.BENCH_ENDPOINT_ID || 'wh_end_bench', { organizationId: org }]]);
module.exports = { port, keys, endpoints };

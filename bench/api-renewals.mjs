// The lease API on a renewal-heavy workload, in real processes: a program
// renews one lease RENEWALS times (each renewal an async function) and
// reports the time per renewal, run alternately without and with the probe
// (node --import starve-probe). Median of ROUNDS rounds each.
//
//   node bench/api-renewals.mjs        (after npm run build)
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROUNDS = 5;
const RENEWALS = 50_000;
const root = fileURLToPath(new URL('../', import.meta.url));
const preload = new URL('../dist/index.js', import.meta.url).href;
const out = mkdtempSync(join(tmpdir(), 'starve-probe-bench-'));

const program = `
import { lease } from 'starve-probe/api';
const l = lease('bench-lock', { ttl: '30s', every: '10s' });
const renewal = async () => 1;
for (let i = 0; i < 1000; i++) await l.renew(renewal);
const start = process.hrtime.bigint();
for (let i = 0; i < ${RENEWALS}; i++) await l.renew(renewal);
process.stdout.write(String(Number(process.hrtime.bigint() - start) / ${RENEWALS}));
l.end();
`;

function once(withProbe, round) {
  const args = [...(withProbe ? ['--import', preload] : []), '--input-type=module', '-e', program];
  const env = { ...process.env, STARVE_PROBE_OUT: join(out, `round-${round}.ndjson`), STARVE_PROBE_QUIET: '1' };
  return Number(execFileSync(process.execPath, args, { cwd: root, env, encoding: 'utf8' }));
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const plain = [];
const probed = [];
for (let round = 0; round < ROUNDS; round++) {
  plain.push(once(false, round));
  probed.push(once(true, round));
}
const result = { plainNs: Math.round(median(plain)), probedNs: Math.round(median(probed)) };
result.ratio = Math.round((result.probedNs / result.plainNs) * 100) / 100;
console.log(`await lease.renew(async fn), ${RENEWALS} renewals: ${result.plainNs} ns each without the probe, ${result.probedNs} ns with it (×${result.ratio})`);
console.log(JSON.stringify({ bench: 'api-renewals', ...result }));

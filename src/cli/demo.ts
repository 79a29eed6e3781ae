import { fileURLToPath } from 'node:url';
import { readRecording } from '../record/read.js';
import { analyze } from '../report/model.js';
import { renderText } from '../report/text.js';
import { parseArgs, renderFlagHelp, type FlagSpec } from './args.js';
import { runProbed } from './spawn.js';

const FLAGS: FlagSpec[] = [{ name: 'help', takes: 'boolean', help: 'Show this help.' }];

export const DEMO_HELP = `Usage: starve-probe demo

Runs a bundled example that starves: a small lease server on 127.0.0.1
and a worker that holds a lease (TTL 3 s, renewed every second) while an
async job does CPU-bound work without yielding. The probe reports each
block as it happens; at the end the report of the worker's recording is
printed. Takes about 12 seconds.

Options:
${renderFlagHelp(FLAGS)}
`;

const FIXTURES = new URL('../../fixtures/', import.meta.url);

/** How the demo declares its lease to the probe, with no change to the worker. */
export const DEMO_LEASES = JSON.stringify([{ name: 'orders-lock', ttl: '3s', every: '1s', http: { method: 'POST', url: '/leases/*/renew' } }]);

export async function demoCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'starve-probe demo');
  if (args.flags.has('help')) {
    process.stdout.write(DEMO_HELP);
    return 0;
  }
  const { createLeaseServer } = (await import(new URL('lease-server/server.mjs', FIXTURES).href)) as {
    createLeaseServer: (o: { log: (line: string) => void }) => { listen(): Promise<string>; close(): Promise<void> };
  };
  const leaseServer = createLeaseServer({ log: (line) => process.stdout.write(`lease-server: ${line}\n`) });
  const url = await leaseServer.listen();
  process.stdout.write(`starve-probe demo: lease server on ${url}; starting a worker under the probe\n\n`);

  const worker = fileURLToPath(new URL('demo/worker.mjs', FIXTURES));
  const result = await runProbed([process.execPath, worker], {
    LEASE_SERVER_URL: url,
    STARVE_PROBE_LEASES: DEMO_LEASES,
  });
  await leaseServer.close();
  if (result.startError) {
    process.stderr.write(`starve-probe demo: ${result.startError}\n`);
    return 2;
  }
  const reports = result.recordings.map((path) => analyze(readRecording(path)));
  process.stdout.write('\n' + renderText(reports, process.cwd()));
  return result.code ?? 1;
}

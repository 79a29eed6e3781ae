import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, ofType, runUnderProbe, schemaProblems } from './helpers/probe.js';
import { hasCommand, startRedis } from './helpers/leases.js';

/**
 * BullMQ against a real redis-server, diagnosed with configuration only.
 * Without redis-server the test is skipped with a visible line naming the
 * Debian package; with STARVE_PROBE_REQUIRE_COMPONENTS=1 (CI) a missing
 * redis-server is a failure instead.
 */

const required = process.env.STARVE_PROBE_REQUIRE_COMPONENTS === '1';
const available = hasCommand('redis-server');
if (!available && !required) {
  process.stderr.write('SKIP BullMQ lease tests: redis-server is not installed (Debian package: redis-server)\n');
}

const BULLMQ_LEASES = JSON.stringify([
  { name: 'bullmq-lock', ttl: '4s', timer: { site: 'bullmq/dist/*/classes/lock-manager.js' } },
]);

describe.skipIf(!available && !required)('BullMQ lock as a lease, declared by configuration only', () => {
  let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
  beforeAll(async () => {
    if (!available) throw new Error('redis-server is required (STARVE_PROBE_REQUIRE_COMPONENTS=1) but not installed: apt-get install redis-server');
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('the lock timer is late, the lease expires during the block naming the processor, and BullMQ loses the lock', async () => {
    const run = await runUnderProbe(fixture('leases/bullmq-worker.mjs'), {
      env: { REDIS_PORT: String(redis!.port), STARVE_PROBE_LEASES: BULLMQ_LEASES, FIXTURE_BLOCK_MS: '6000' },
      timeoutMs: 45_000,
    });
    expect(run.code).toBe(0);
    expect(schemaProblems(run.events)).toEqual([]);

    expect(ofType(run.events, 'lease')[0]).toMatchObject({ lease: 'bullmq-lock', ttlMs: 4000, everyMs: 1000, source: 'timer' });
    const late = ofType(run.events, 'timer-late').filter((e) => e.lease === 'bullmq-lock');
    expect(late.length).toBeGreaterThanOrEqual(1);
    expect(late[0]!.site).toMatch(/lock-manager\.js:\d+:\d+\)$/);
    expect(late[0]!.lateMs as number).toBeGreaterThan(3000);

    const expired = ofType(run.events, 'lease-expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ lease: 'bullmq-lock', duringBlock: true });
    expect(expired[0]!.site).toMatch(/^renderInvoice \(file:.*bullmq-worker\.mjs:\d+:\d+\)$/);
    const block = ofType(run.events, 'block').find((b) => b.id === expired[0]!.blockId)!;
    expect(expired[0]!.time as number).toBeLessThan((block.time as number) + (block.durationMs as number));
    // The block names the job it was processing, read from the processor's `job`.
    expect(block.unit).toMatch(/^(BullMQ )?job "invoice" \(id \d+\)$/);

    // BullMQ's own account of the same event.
    expect(run.stderr).toMatch(/bullmq: .*(Missing lock for job|stalled|could not renew lock)/);
  });
});

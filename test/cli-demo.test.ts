import { describe, expect, it } from 'vitest';
import { CLI, exec, tempDir } from './helpers/probe.js';

describe('starve-probe demo', () => {
  it('shows a new user the blocks, the lease expiring during one, and the fix', async () => {
    const result = await exec(process.execPath, [CLI, 'demo'], { cwd: tempDir(), timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    const said = result.stderr;
    const shown = result.stdout;

    // Findings as they happen, on stderr, naming the function.
    expect(said).toMatch(/starve-probe: the main thread was blocked for [\d.]+ s in scoreItem \(.*worker\.mjs:\d+:\d+\) \(cpu\)/);
    expect(said).toMatch(/starve-probe: lease orders-lock \(TTL 3\.00 s\) has expired: the main thread is blocked in scoreItem/);
    // The lease server, the ground truth, agrees that it expired.
    expect(shown).toMatch(/lease-server: lease orders-lock expired at /);

    // The report at the end leads with the offender and its fix, then the lease.
    expect(shown).toMatch(/Top offenders[^\n]*\n {2}1\. scoreItem \(/);
    // The report wraps at 80 columns, so where the lines break depends on
    // the length of the checkout's path.
    expect(shown).toMatch(/Fix: scoreItem\s+\([^)]*worker\.mjs:\d+:\d+\)\s+in\s+async\s+scoreReport\s+ran\s+JavaScript\s+on\s+the\s+main\s+thread/);
    expect(shown).toMatch(/lease orders-lock \(TTL 3\.00 s\) expired during a [\d.]+ s block in scoreItem/);
  });
});

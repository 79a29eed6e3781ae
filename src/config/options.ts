/**
 * Every setting of the probe, declared once. The environment parser, the
 * CLI flags, `--help` and docs/configuration.md are all derived from this
 * table (scripts/gen-options-doc.mjs writes the doc; a test keeps it true).
 *
 * A setting is read from its environment variable in the probed process;
 * the CLI turns its flag into that variable for the child it starts.
 */

export type OptionKind = 'duration' | 'boolean' | 'path' | 'fraction' | 'json';

export interface OptionSpec {
  /** Key in the effective config (also the `config` field of `start`). */
  readonly key: string;
  readonly env: string;
  /** CLI flag of `starve-probe run`, without the dashes. */
  readonly flag?: string;
  readonly kind: OptionKind;
  /** Default in the option's own unit (milliseconds for durations). */
  readonly default: number | boolean | string | null;
  /** Smallest and largest accepted value (durations and fractions). */
  readonly min?: number;
  readonly max?: number;
  readonly help: string;
}

export const PROBE_OPTIONS: readonly OptionSpec[] = [
  {
    key: 'enabled',
    env: 'STARVE_PROBE_ENABLED',
    kind: 'boolean',
    default: true,
    help:
      'Set to 0 to load the preload without starting anything, e.g. to ' +
      'keep --import starve-probe in a deployment and switch it per process.',
  },
  {
    key: 'thresholdMs',
    env: 'STARVE_PROBE_THRESHOLD',
    flag: 'threshold',
    kind: 'duration',
    default: 100,
    min: 20,
    max: 600_000,
    help:
      'Block threshold: the main thread counts as blocked when its ' +
      'heartbeat is this much overdue. Lower catches shorter blocks; each ' +
      'block costs up to three stack captures.',
  },
  {
    key: 'out',
    env: 'STARVE_PROBE_OUT',
    flag: 'out',
    kind: 'path',
    default: null,
    help:
      'Recording file (NDJSON). Default: .starve-probe/<ISO time>-<pid>.ndjson ' +
      'under the working directory. When another live process already writes ' +
      'this file (a child that inherited the variable), the probe writes ' +
      '<name>.<pid>.ndjson beside it instead.',
  },
  {
    key: 'sampleIntervalMs',
    env: 'STARVE_PROBE_SAMPLE_INTERVAL',
    flag: 'sample-interval',
    kind: 'duration',
    default: 1000,
    min: 100,
    max: 3_600_000,
    help:
      'How often delay, utilization, memory and GC are read, recorded as ' +
      'one sample event and reset.',
  },
  {
    key: 'resolutionMs',
    env: 'STARVE_PROBE_RESOLUTION',
    flag: 'resolution',
    kind: 'duration',
    default: 10,
    min: 1,
    max: 1000,
    help:
      'Resolution of perf_hooks.monitorEventLoopDelay (whole milliseconds). ' +
      'Smaller sees shorter delays and wakes the loop more often.',
  },
  {
    key: 'quiet',
    env: 'STARVE_PROBE_QUIET',
    flag: 'quiet',
    kind: 'boolean',
    default: false,
    help:
      'Write no findings to stderr. The recording is unaffected; the one ' +
      'line saying the probe itself stopped is still written.',
  },
  {
    key: 'asyncStacks',
    env: 'STARVE_PROBE_ASYNC_STACKS',
    flag: 'async-stacks',
    kind: 'boolean',
    default: false,
    help:
      'Keep V8 async call stacks switched on so stacks also show what ' +
      'scheduled the blocked code. Costly: measured to cut an HTTP ' +
      "server's throughput several times. Off by default.",
  },
  {
    key: 'leases',
    env: 'STARVE_PROBE_LEASES',
    flag: 'leases',
    kind: 'json',
    default: null,
    help:
      'Leases declared without code: a JSON array (or the path of a JSON ' +
      'file) of {name, ttl, every?, http: {method?, url}} or {name, ttl, ' +
      'every?, timer: {site}} entries. Matching HTTP requests or timer ' +
      'firings count as renewals. Unset: no leases are declared (the API ' +
      'and recurring timers still work). See docs/leases.md.',
  },
  {
    key: 'leaseRisk',
    env: 'STARVE_PROBE_LEASE_RISK',
    flag: 'lease-risk',
    kind: 'fraction',
    default: 0.25,
    min: 0.01,
    max: 0.99,
    help:
      'While a block is under way, a lease whose remaining time falls ' +
      'below this fraction of its TTL is reported as at risk (lease-risk), ' +
      'before it expires.',
  },

  {
    key: 'saturationElu',
    env: 'STARVE_PROBE_SATURATION_ELU',
    flag: 'saturation-elu',
    kind: 'fraction',
    default: 0.9,
    min: 0.5,
    max: 1,
    help:
      'Utilization at or above which the main thread counts as saturated ' +
      '(busy running tasks, none of them over the threshold).',
  },
  {
    key: 'saturationForMs',
    env: 'STARVE_PROBE_SATURATION_FOR',
    flag: 'saturation-for',
    kind: 'duration',
    default: 5000,
    min: 1000,
    max: 3_600_000,
    help:
      'How long utilization must stay at or above STARVE_PROBE_SATURATION_ELU, ' +
      'with no block, to record a saturation event. Measured in whole samples.',
  },
  {
    key: 'profile',
    env: 'STARVE_PROBE_PROFILE',
    flag: 'profile',
    kind: 'boolean',
    default: false,
    help:
      'Record a V8 CPU profile of the main thread during each block longer ' +
      'than STARVE_PROBE_PROFILE_MIN, saved as <recording>.<block id>.cpuprofile ' +
      'next to the recording and linked from the block event (its profile ' +
      'field). The profiler runs only while such a block lasts.',
  },
  {
    key: 'profileMinMs',
    env: 'STARVE_PROBE_PROFILE_MIN',
    flag: 'profile-min',
    kind: 'duration',
    default: null,
    min: 20,
    max: 600_000,
    help:
      'With STARVE_PROBE_PROFILE, how long a block must last before the ' +
      'profiler is started; the profile covers the block from then to its end. ' +
      'Default: twice the block threshold.',
  },
];

export function findOption(key: string): OptionSpec {
  const spec = PROBE_OPTIONS.find((o) => o.key === key);
  if (!spec) throw new Error(`starve-probe: no option ${key}`);
  return spec;
}

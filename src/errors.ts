/**
 * One error class per failure, each with a stable `code` that scripts and
 * tests can match on. Messages name what was wrong, the value received and
 * the form expected.
 */

export type StarveProbeErrorCode =
  | 'ERR_STARVE_PROBE_INVALID_OPTION'
  | 'ERR_STARVE_PROBE_USAGE'
  | 'ERR_STARVE_PROBE_NOT_A_RECORDING'
  | 'ERR_STARVE_PROBE_UNREADABLE'
  | 'ERR_STARVE_PROBE_INVALID_LEASES'
  | 'ERR_STARVE_PROBE_INVALID_BUDGET';

export class StarveProbeError extends Error {
  readonly code: StarveProbeErrorCode;

  constructor(code: StarveProbeErrorCode, message: string) {
    super(message);
    this.name = 'StarveProbeError';
    this.code = code;
  }
}

/** A configuration value (environment variable or flag) that cannot be used. */
export class InvalidOptionError extends StarveProbeError {
  constructor(message: string) {
    super('ERR_STARVE_PROBE_INVALID_OPTION', message);
  }
}

/** The command line is not one we understand: exit code 2. */
export class UsageError extends StarveProbeError {
  constructor(message: string) {
    super('ERR_STARVE_PROBE_USAGE', message);
  }
}

/** A file was given as a recording but is not one. */
export class NotARecordingError extends StarveProbeError {
  constructor(message: string) {
    super('ERR_STARVE_PROBE_NOT_A_RECORDING', message);
  }
}

export class UnreadableError extends StarveProbeError {
  constructor(message: string) {
    super('ERR_STARVE_PROBE_UNREADABLE', message);
  }
}

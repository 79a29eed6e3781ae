import { StarveProbeError } from '../errors.js';

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export function printError(command: string, error: unknown): number {
  if (error instanceof StarveProbeError) {
    process.stderr.write(`${command}: ${error.message}\n`);
    return EXIT_USAGE;
  }
  process.stderr.write(`${command}: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
  return EXIT_USAGE;
}

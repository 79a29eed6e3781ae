import { EXIT, EXIT_FLUSHED, type SharedViews } from '../probe/shared.js';

/** Tells the exiting main thread, which waits on EXIT, that the recording is complete. */
export class ExitHandshake {
  constructor(private readonly views: SharedViews) {}

  flushed(): void {
    Atomics.store(this.views.i32, EXIT, EXIT_FLUSHED);
    Atomics.notify(this.views.i32, EXIT);
  }
}

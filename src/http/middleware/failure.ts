// A route middleware's failure, in a module of its own: the pipeline tells it
// apart from other errors without importing chain.ts, and so express, which
// loads only with the first route that lists middleware (load.ts).
/** A handler that failed: `next(err)`, a throw, or a rejected promise. */
export class MiddlewareFailure extends Error {
  constructor(
    readonly route: string,
    readonly module: string,
    override readonly cause: unknown,
  ) {
    super(`middleware ${module} of route ${route} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'MiddlewareFailure';
  }
}

// One route's middleware (SPEC §2), compiled once per config load into one express
// app: express gives the handlers the req/res they expect (req.get, res.json, ...)
// and runs them in order. Only routes that list middleware ever enter express.
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';

/** What ordinary express middleware is. */
export type Handler = (req: Request, res: Response, next: NextFunction) => unknown;

export interface AttributedHandler {
  /** The module as the routes file names it, for the log line of a failure. */
  readonly module: string;
  readonly handler: Handler;
}

/** SPEC §2 `req.gatehouse`: who the gateway admitted, for the middleware to read. */
export interface GatehouseContext {
  readonly route: string;
  readonly consumer: string | null;
  /** The auth policy that admitted, or null on a public route. */
  readonly auth: string | null;
  readonly claims: Readonly<Record<string, unknown>> | null;
  readonly requestId: string;
}

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

/** 'next': the last handler called next(), go on to the function; 'answered': a handler answered (or the client left). */
export type ChainOutcome = 'next' | 'answered';

export class MiddlewareChain {
  readonly #app: express.Express;

  constructor(
    readonly route: string,
    handlers: readonly AttributedHandler[],
  ) {
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    for (const { module, handler } of handlers) app.use(attributed(route, module, handler));
    this.#app = app;
  }

  /** Run the handlers; rejects with a MiddlewareFailure. */
  run(req: IncomingMessage, res: ServerResponse, context: GatehouseContext): Promise<ChainOutcome> {
    (req as IncomingMessage & { gatehouse?: GatehouseContext }).gatehouse = context;
    return new Promise<ChainOutcome>((resolve, reject) => {
      const answered = (): void => resolve('answered');
      res.once('finish', answered).once('close', answered);
      const done = (error?: unknown): void => {
        res.off('finish', answered).off('close', answered);
        if (error === undefined || error === 'route' || error === 'router') resolve('next');
        else reject(error instanceof MiddlewareFailure ? error : new MiddlewareFailure(this.route, '(express)', error));
      };
      // An express app is itself `(req, res, next)`; its TypeScript type names only
      // (req, res), hence Reflect.apply. It gives req/res express's prototypes.
      Reflect.apply(this.#app, undefined, [req, res, done]);
    });
  }
}

/** Every way a handler can fail ends in next(MiddlewareFailure) naming its module. */
function attributed(route: string, module: string, handler: Handler): express.RequestHandler {
  return (req, res, next) => {
    const fail = (error: unknown): void => next(new MiddlewareFailure(route, module, error));
    try {
      const result = handler(req, res, (error?: unknown) => (error === undefined || error === 'route' || error === 'router' ? next(error) : fail(error)));
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}

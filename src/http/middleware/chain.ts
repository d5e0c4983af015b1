// One route's middleware (SPEC §2), compiled once per config load into one express
// Router, run with req/res that have express's request and response methods
// (req.get, res.json, ...). Only routes that list middleware ever enter express.
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { PublicRequest, PublicResponse } from '../public-classes.js';
import { MiddlewareFailure } from './failure.js';

export { MiddlewareFailure };

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

/** 'next': the last handler called next(), go on to the function; 'answered': a handler answered (or the client left). */
export type ChainOutcome = 'next' | 'answered';

/**
 * The one express app every route's Router runs under: its settings (no
 * X-Powered-By, no ETag) and `req.app`, as one express app with a Router per
 * route would have them.
 */
const app = express();
app.disable('x-powered-by');
app.set('etag', false);

/** Once per process, at the first chain: the public listener's requests get express's methods (public-classes.ts). */
let adopted = false;
function adoptExpressPrototypes(): void {
  if (adopted) return;
  Object.setPrototypeOf(PublicRequest.prototype, app.request);
  Object.setPrototypeOf(PublicResponse.prototype, app.response);
  adopted = true;
}

export class MiddlewareChain {
  readonly #router: express.Router;

  constructor(
    readonly route: string,
    handlers: readonly AttributedHandler[],
  ) {
    adoptExpressPrototypes();
    const router = express.Router();
    for (const { module, handler } of handlers) router.use(attributed(route, module, handler));
    this.#router = router;
  }

  /** Run the handlers; rejects with a MiddlewareFailure. */
  run(req: IncomingMessage, res: ServerResponse, context: GatehouseContext): Promise<ChainOutcome> {
    // What express's app.handle does, but for the prototypes, which the public
    // listener's requests already have. Any other request is re-prototyped as express would.
    if (!(req instanceof PublicRequest)) Object.setPrototypeOf(req, app.request);
    if (!(res instanceof PublicResponse)) Object.setPrototypeOf(res, app.response);
    const expressReq = req as Request & { gatehouse?: GatehouseContext };
    const expressRes = res as Response;
    expressReq.res = expressRes;
    expressReq.gatehouse = context;
    expressRes.locals ??= Object.create(null) as Response['locals'];
    return new Promise<ChainOutcome>((resolve, reject) => {
      const answered = (): void => resolve('answered');
      res.once('finish', answered).once('close', answered);
      const done = (error?: unknown): void => {
        res.off('finish', answered).off('close', answered);
        if (error === undefined || error === 'route' || error === 'router') resolve('next');
        else reject(error instanceof MiddlewareFailure ? error : new MiddlewareFailure(this.route, '(express)', error));
      };
      this.#router(expressReq, expressRes, done);
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

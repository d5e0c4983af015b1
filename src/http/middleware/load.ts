// Loads route middleware (SPEC §2) once per config load, never per request: each
// module is imported, its default export called with the entry's options, and what
// it returns checked. Any failure is a config problem at the entry's FILE:LINE:COL,
// so a reload with a broken module is refused and the old config stays live.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { ConfigProblem, MiddlewareSpec, RouteSpec } from '../../config/types.js';
import type { AttributedHandler, Handler, MiddlewareChain } from './chain.js';

export type MiddlewareLoad =
  | { readonly ok: true; readonly chains: ReadonlyMap<string, MiddlewareChain> }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

type Factory = (options: Readonly<Record<string, unknown>>) => unknown;
type Imported = { ok: true; factory: Factory } | { ok: false; message: string };

/** Every route's chain, keyed by route name; routes without middleware have none. */
export async function loadRouteMiddleware(routes: readonly RouteSpec[]): Promise<MiddlewareLoad> {
  const problems: ConfigProblem[] = [];
  const chains = new Map<string, MiddlewareChain>();
  if (routes.every((route) => route.middleware.length === 0)) return { ok: true, chains };
  // express comes with the first route that lists middleware: `gatehouse validate`
  // and a gateway without any never load it for this.
  const { MiddlewareChain } = await import('./chain.js');
  const modules = new Map<string, Promise<Imported>>(); // one import per file per load
  for (const route of routes) {
    if (route.middleware.length === 0) continue;
    const handlers: AttributedHandler[] = [];
    for (const spec of route.middleware) {
      let imported = modules.get(spec.file);
      if (!imported) modules.set(spec.file, (imported = importFactory(spec)));
      const made = instantiate(spec, await imported);
      if (typeof made === 'string') problems.push({ ...spec.locate(), message: made });
      else for (const handler of made) handlers.push({ module: spec.ref, handler });
    }
    chains.set(route.name, new MiddlewareChain(route.name, handlers));
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, chains };
}

/**
 * ESM caches a module by URL for the life of the process, so a changed file is
 * imported under a URL naming its content: an edited middleware takes effect on
 * reload, an unchanged one is the same module instance as before. (Only the named
 * file: modules it imports itself stay cached until the gateway restarts.)
 */
async function importFactory(spec: MiddlewareSpec): Promise<Imported> {
  let source: Buffer;
  try {
    source = await readFile(spec.file);
  } catch (error) {
    return { ok: false, message: `cannot read middleware "${spec.ref}": ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
  const version = createHash('sha256').update(source).digest('hex').slice(0, 16);
  let namespace: { default?: unknown };
  try {
    namespace = (await import(`${pathToFileURL(spec.file).href}?v=${version}`)) as { default?: unknown };
  } catch (error) {
    return { ok: false, message: `middleware "${spec.ref}" failed to load: ${describe(error)}` };
  }
  if (typeof namespace.default !== 'function') {
    return { ok: false, message: `middleware "${spec.ref}" must have a default export that is a factory (options) => handler` };
  }
  return { ok: true, factory: namespace.default as Factory };
}

/** The factory's handlers, or a problem message. */
function instantiate(spec: MiddlewareSpec, imported: Imported): Handler[] | string {
  if (!imported.ok) return imported.message;
  let made: unknown;
  try {
    made = imported.factory(spec.options);
  } catch (error) {
    return `middleware "${spec.ref}": its factory threw: ${describe(error)}`;
  }
  const handlers = Array.isArray(made) ? made : [made];
  if (handlers.length === 0 || !handlers.every((h): h is Handler => typeof h === 'function')) {
    return `middleware "${spec.ref}": its factory must return a handler (req, res, next) or a non-empty array of them`;
  }
  return handlers;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

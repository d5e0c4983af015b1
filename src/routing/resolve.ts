// Turns the walk's outcome into the contract's RouteMatch: params, upstream
// path, or the 405's Allow. Allocates only what the result itself holds.
import { requestHostKey } from './host.js';
import { applyRewrite } from './rewrite.js';
import type { CompiledRoute } from './route.js';
import type { RouteMatch, RouteRequest } from './types.js';
import { walkGroups, type HostGroups, type WalkObserver, type WalkState } from './walk.js';

const NONE: RouteMatch = Object.freeze({ kind: 'none' });
const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

function paramsOf(route: CompiledRoute, segments: readonly string[]): Readonly<Record<string, string>> {
  if (route.params.length === 0) return NO_PARAMS;
  const params: Record<string, string> = {};
  for (let k = 0; k < route.params.length; k++) {
    const slot = route.params[k]!;
    params[slot.name] = segments[slot.index] ?? '';
  }
  return params;
}

function matched(route: CompiledRoute, request: RouteRequest): RouteMatch {
  const { path, segments } = request.path;
  return {
    kind: 'matched',
    route: route.spec,
    params: paramsOf(route, segments),
    upstreamPath: route.rewrite === null ? path : applyRewrite(route.rewrite, path, segments, route.prefixAt),
  };
}

/** `GET, HEAD, POST`: the methods that would have matched, sorted (RFC 9110 §10.2.1). */
function allowHeader(fitted: readonly CompiledRoute[]): string {
  const methods = new Set<string>();
  for (const route of fitted) for (const method of route.allow) methods.add(method);
  return [...methods].sort().join(', ');
}

/** One request through the table; `observer` is given only by explain(). */
export function resolve(groups: HostGroups, request: RouteRequest, observer: WalkObserver | undefined): RouteMatch {
  const state: WalkState = {
    segments: request.path.keys,
    method: request.method,
    isHead: request.method === 'HEAD',
    headers: request.headers,
    observer,
    fitted: null,
  };
  const route = walkGroups(groups, requestHostKey(request.host), state);
  if (route !== null) return matched(route, request);
  if (state.fitted !== null) return { kind: 'method-not-allowed', allow: allowHeader(state.fitted) };
  return NONE;
}

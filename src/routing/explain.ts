// explain(): the walk of match(), with each decision written down as a
// sentence for `GET /admin/explain` (SPEC §6). Off the hot path: allocates freely.
import { describeHost } from './host.js';
import type { CompiledRoute } from './route.js';
import type { RouteMatch } from './types.js';
import type { ChildKind, GroupKind, WalkObserver } from './walk.js';

export class StepRecorder implements WalkObserver {
  readonly steps: string[] = [];
  #host: string | null = null;
  #groups = 0;
  /** Depth of the last child taken in this group; a step at or above it is a backtrack. */
  #depth = -1;

  begin(host: string | null): void {
    this.#host = host;
    if (host === null) this.steps.push('no usable Host header: only host-less routes apply');
  }

  enterGroup(kind: GroupKind, key: string): void {
    const first = this.#groups++ === 0;
    this.#depth = -1;
    const host = `host "${this.#host ?? ''}"`;
    if (kind === 'exact') this.steps.push(`${host}: exact host group`);
    else if (kind === 'wildcard') this.steps.push(first ? `${host}: wildcard host group *.${key}` : `fell back to wildcard host group *.${key}`);
    else if (!first) this.steps.push('fell back to host-less routes');
    else if (this.#host !== null) this.steps.push(`${host}: no host group, host-less routes`);
  }

  child(depth: number, segment: string, kind: ChildKind, paramLabel: string): void {
    const back = depth <= this.#depth ? 'backtracked, ' : '';
    this.#depth = depth;
    const how = kind === 'static' ? 'static child' : kind === 'param' ? `param ${paramLabel}` : 'prefix /*, takes the rest';
    this.steps.push(`segment "${segment}": ${back}${how}`);
  }

  deadEnd(segment: string): void {
    this.steps.push(`segment "${segment}": no static, param or prefix child`);
  }

  endOfPath(hasEnd: boolean, hasPrefix: boolean): void {
    if (hasEnd) this.steps.push('end of path: routes end here');
    else if (hasPrefix) this.steps.push('end of path: a prefix route covers it');
    else this.steps.push('end of path: no route ends here');
  }

  headerMismatch(route: CompiledRoute, header: string): void {
    this.steps.push(`route "${route.spec.name}": header ${header} does not match`);
  }

  methodMismatch(route: CompiledRoute, method: string): void {
    this.steps.push(`route "${route.spec.name}": method ${method} not allowed (${route.allow.join(', ')})`);
  }

  matched(route: CompiledRoute): void {
    this.steps.push(`route "${route.spec.name}": matched (host ${describeHost(route.host)}, path ${route.spec.match.path})`);
  }

  /** The closing sentence: what the walk decided. */
  finish(result: RouteMatch): void {
    if (result.kind === 'matched') this.steps.push(`result: route "${result.route.name}", upstream path ${result.upstreamPath}`);
    else if (result.kind === 'method-not-allowed') this.steps.push(`result: 405, Allow: ${result.allow}`);
    else this.steps.push('result: no route (404)');
  }
}

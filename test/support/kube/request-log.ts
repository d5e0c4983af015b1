// What the fake apiserver was asked, for tests to count and await (scale
// patches, annotation writes, watch reconnections, 410s).
import { EventEmitter } from 'node:events';
import { awaitChange } from './await-change.js';
import type { Verb } from './resources.js';

export interface RequestRecord {
  readonly at: number;
  readonly method: string;
  /** The URL path, without the query. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly verb: Verb | undefined;
  /** As RBAC names it: 'services', 'endpointslices', 'deployments', 'deployments/scale'. */
  readonly resource: string | undefined;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly contentType: string | undefined;
  /** The parsed JSON body (the raw text when it is not JSON; undefined when empty). */
  readonly body: unknown;
  /** The HTTP status (200 for a watch, even one that then sent a 410 ERROR event). */
  readonly status: number;
  /** A watch from a too-old resourceVersion (answered 410, by event or by status). */
  readonly expired: boolean;
}

export type RequestMatch = Partial<Pick<RequestRecord, 'method' | 'verb' | 'resource' | 'namespace' | 'name' | 'status' | 'contentType' | 'expired'>>;

export interface RequestCounters {
  readonly requests: number;
  readonly lists: number;
  readonly watches: number;
  /** Watches answered 410 (too old resourceVersion). */
  readonly expiredWatches: number;
  readonly scalePatches: number;
  /** PATCHes of the Deployment itself (the gatehouse.io/last-request-at annotation). */
  readonly deploymentPatches: number;
  readonly unauthorized: number;
  readonly forbidden: number;
}

export class RequestLog {
  readonly #records: RequestRecord[] = [];
  /** Emits 'change' on every record, and whenever the owner says something else changed. */
  readonly changes = new EventEmitter().setMaxListeners(0);

  add(record: RequestRecord): void {
    this.#records.push(record);
    this.changes.emit('change');
  }

  find(match: RequestMatch = {}): RequestRecord[] {
    const entries = Object.entries(match) as Array<[keyof RequestRecord, unknown]>;
    return this.#records.filter((record) => entries.every(([key, value]) => record[key] === value));
  }

  counters(): RequestCounters {
    const n = (match: RequestMatch): number => this.find(match).length;
    return {
      requests: n({}), lists: n({ verb: 'list' }), watches: n({ verb: 'watch' }), expiredWatches: n({ expired: true }),
      scalePatches: n({ verb: 'patch', resource: 'deployments/scale' }), deploymentPatches: n({ verb: 'patch', resource: 'deployments' }),
      unauthorized: n({ status: 401 }), forbidden: n({ status: 403 }),
    };
  }

  /** Resolves with the matching records once there are at least `n`. */
  waitFor(match: RequestMatch, n: number, timeoutMs: number): Promise<RequestRecord[]> {
    return awaitChange(this.changes, 'change', `${n} request(s) matching ${JSON.stringify(match)}`, () => {
      const found = this.find(match);
      return found.length >= n ? found : undefined;
    }, timeoutMs);
  }
}

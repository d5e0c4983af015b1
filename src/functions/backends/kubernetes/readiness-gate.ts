// gatehouse.io/readiness-path (SPEC §5): "Ready" in Kubernetes does not always
// mean the app answers, so a new endpoint is published to the activator only
// after GET on that path answers 2xx. Endpoints already probed stay published.
import type http from 'node:http';
import type { Endpoint } from '../../types.js';
import { ReadinessProbe } from '../readiness.js';

export class ReadinessGate {
  readonly #passed = new Set<string>();
  readonly #probing = new Map<string, AbortController>();

  constructor(
    private readonly onPassed: () => void,
    /** The proxy's upstream agent, so the first request reuses the probe's connection. */
    private readonly agent: http.Agent,
  ) {}

  /** The endpoints that may take requests now; probes the others in the background. */
  admit(endpoints: readonly Endpoint[], path: string | null, timeoutMs: number): Endpoint[] {
    if (path === null) return [...endpoints];
    const present = new Set(endpoints.map((e) => e.id));
    for (const [id, probe] of this.#probing) if (!present.has(id)) probe.abort();
    for (const id of this.#passed) if (!present.has(id)) this.#passed.delete(id);
    for (const endpoint of endpoints) if (!this.#passed.has(endpoint.id) && !this.#probing.has(endpoint.id)) this.#probe(endpoint, path, timeoutMs);
    return endpoints.filter((e) => this.#passed.has(e.id));
  }

  /** Abort every probe in progress; the next admit() starts fresh ones. */
  stop(): void {
    for (const probe of this.#probing.values()) probe.abort();
    this.#probing.clear();
  }

  #probe(endpoint: Endpoint, path: string, timeoutMs: number): void {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error('readiness probe timed out')), timeoutMs);
    this.#probing.set(endpoint.id, abort);
    const probe = new ReadinessProbe({ host: endpoint.host, port: endpoint.port, path }, { agent: this.agent });
    void probe.wait(abort.signal).then(
      () => {
        this.#passed.add(endpoint.id);
        this.onPassed();
      },
      () => undefined, // gone or never ready: the watch's next word decides
    ).finally(() => {
      clearTimeout(timer);
      if (this.#probing.get(endpoint.id) === abort) this.#probing.delete(endpoint.id);
    });
  }
}

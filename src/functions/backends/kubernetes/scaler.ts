// The Kubernetes side of waking and sleeping (SPEC §5): a merge-patch of
// deployments/NAME/scale to max(current, wake-replicas) — harmless when several
// gateway replicas do it at once — or a POST to the wake hook; the
// last-request-at annotation that lets replicas agree on idleness; scale to 0.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Logger } from '../../../observability/logger.js';
import { ANNOTATION, type ServiceFunction } from './annotations.js';
import { describe, isPermanent, statusOf, type KubeClient } from './client.js';

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const HOOK_TIMEOUT_MS = 5000;

export class Scaler {
  constructor(
    private readonly client: KubeClient,
    private readonly logger: Logger,
  ) {}

  /**
   * Ask for replicas. A transient failure (API server unreachable, 5xx) is retried
   * until `deadline` (then the held requests get their 503 at the cold-start
   * timeout); a permanent one (403 from RBAC, 404) fails at once, loudly.
   */
  async wake(namespace: string, name: string, fn: ServiceFunction, deadline: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return fn.wakeHook ? await this.#callHook(namespace, name, fn.wakeHook) : await this.#scaleUp(namespace, fn.scaleTarget, fn.wakeReplicas);
      } catch (error) {
        if (isPermanent(error)) {
          this.logger.error({ namespace, function: name, target: fn.scaleTarget, err: describe(error) }, 'cannot wake function: the Kubernetes API refused (check the gateway Role)');
          throw error;
        }
        const delay = Math.min(1000, 100 * 2 ** attempt);
        if (Date.now() + delay >= deadline) throw error;
        this.logger.warn({ namespace, function: name, err: describe(error), retryInMs: delay }, 'wake call failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /**
   * Scale to 0 only if the Deployment is still at `resourceVersion`, the version
   * whose last-request-at said "idle": if another replica recorded a request or
   * scaled since, the API answers 409 and nothing happens (optimistic concurrency;
   * the Scale shares its Deployment's resourceVersion). Returns whether it scaled.
   */
  async scaleToZero(namespace: string, target: string, resourceVersion: string | undefined): Promise<boolean> {
    const body = { metadata: { resourceVersion }, spec: { replicas: 0 } };
    try {
      await this.client.apps.patchNamespacedDeploymentScale({ name: target, namespace, body }, MERGE_PATCH);
      return true;
    } catch (error) {
      if (statusOf(error) === 409) return false;
      throw error;
    }
  }

  /** The annotation's time (ms since the epoch; null when absent or unreadable) and the
   * Deployment's resourceVersion it was read at. */
  async lastRequestAt(namespace: string, target: string): Promise<{ readonly atMs: number | null; readonly resourceVersion: string | undefined }> {
    const deployment = await this.client.apps.readNamespacedDeployment({ name: target, namespace });
    const value = deployment.metadata?.annotations?.[ANNOTATION.lastRequestAt];
    const ms = value === undefined ? NaN : Date.parse(value);
    return { atMs: Number.isNaN(ms) ? null : ms, resourceVersion: deployment.metadata?.resourceVersion };
  }

  async recordRequestAt(namespace: string, target: string, atMs: number): Promise<void> {
    const body = { metadata: { annotations: { [ANNOTATION.lastRequestAt]: new Date(atMs).toISOString() } } };
    await this.client.apps.patchNamespacedDeployment({ name: target, namespace, body }, MERGE_PATCH);
  }

  async #scaleUp(namespace: string, target: string, replicas: number): Promise<void> {
    const scale = await this.client.apps.readNamespacedDeploymentScale({ name: target, namespace });
    if ((scale.spec?.replicas ?? 0) >= replicas) return; // someone (another replica) already did
    await this.client.apps.patchNamespacedDeploymentScale({ name: target, namespace, body: { spec: { replicas } } }, MERGE_PATCH);
    this.logger.info({ namespace, target, replicas }, 'scaled up to wake a function');
  }

  async #callHook(namespace: string, name: string, hook: URL): Promise<void> {
    const response = await fetch(hook, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ function: name, namespace }),
      signal: AbortSignal.timeout(HOOK_TIMEOUT_MS),
    });
    if (!response.ok) throw Object.assign(new Error(`wake hook answered ${response.status}`), { code: response.status });
  }
}

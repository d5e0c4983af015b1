// The Kubernetes client (SPEC §1 `--kubeconfig`, `--namespace`): a kubeconfig
// from the flag or KUBECONFIG, else in-cluster, else ~/.kube/config. Note: the
// client refuses a plain http:// server unless the kubeconfig says
// insecure-skip-tls-verify (true of the tests' fake API server).
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppsV1Api, CoreV1Api, DiscoveryV1Api, KubeConfig } from '@kubernetes/client-node';

export interface KubeClient {
  readonly config: KubeConfig;
  /** The kubeconfig context's namespace, else `default` (SPEC §1 `--namespace`'s default). */
  readonly contextNamespace: string;
  readonly core: CoreV1Api;
  readonly discovery: DiscoveryV1Api;
  readonly apps: AppsV1Api;
}

export function connect(kubeconfigPath: string | undefined): KubeClient {
  const config = new KubeConfig();
  if (kubeconfigPath) config.loadFromFile(kubeconfigPath);
  else if (process.env.KUBERNETES_SERVICE_HOST) config.loadFromCluster();
  else {
    const home = path.join(os.homedir(), '.kube', 'config');
    if (!existsSync(home)) throw new Error('no kubeconfig: give --kubeconfig, set KUBECONFIG, or run in a cluster');
    config.loadFromFile(home);
  }
  const contextNamespace = config.getContextObject(config.getCurrentContext())?.namespace;
  return {
    config,
    contextNamespace: contextNamespace ?? 'default',
    core: config.makeApiClient(CoreV1Api),
    discovery: config.makeApiClient(DiscoveryV1Api),
    apps: config.makeApiClient(AppsV1Api),
  };
}

/** The HTTP status of a failed API call, or null for a network failure. */
export function statusOf(error: unknown): number | null {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' ? code : null;
}

/** 4xx (but 408/429) will not get better by retrying: RBAC, a missing Deployment. */
export function isPermanent(error: unknown): boolean {
  const status = statusOf(error);
  return status !== null && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

export function describe(error: unknown): string {
  const status = statusOf(error);
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  return status === null ? message : `HTTP ${status}: ${message}`;
}

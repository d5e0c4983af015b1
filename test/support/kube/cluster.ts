// A fake cluster per test: the fake apiserver, the simulated kubelet, a
// kubeconfig file for it and a loaded KubeConfig; everything is stopped and
// removed after each test, in reverse order, with whatever the test deferred.
import type { KubeConfig } from '@kubernetes/client-node';
import { FakeApiServer, type FakeApiServerOptions } from './fake-apiserver.js';
import { Kubelet, type KubeletOptions } from './kubelet.js';
import { loadKubeConfig, removeKubeconfig, writeKubeconfig } from './kubeconfig.js';
import { deployment, service, type DeploymentOptions, type ServiceOptions } from './objects.js';

export interface FakeClusterOptions {
  readonly namespace?: string;
  readonly apiserver?: FakeApiServerOptions;
  readonly kubelet?: KubeletOptions;
}

export interface FakeCluster {
  readonly apiserver: FakeApiServer;
  readonly kubelet: Kubelet;
  readonly namespace: string;
  /** The kubeconfig file (for the gateway's --kubeconfig or KUBECONFIG). */
  readonly kubeconfig: string;
  readonly kubeConfig: KubeConfig;
  /** Seeds a function: Service NAME (selector app=NAME) and Deployment NAME (replicas 0 unless given). */
  addFunction(name: string, options?: { service?: ServiceOptions; deployment?: DeploymentOptions }): void;
  /** Runs `cleanup` after the test, before the cluster itself is stopped. */
  defer(cleanup: () => Promise<void> | void): void;
}

export function useFakeCluster(options: FakeClusterOptions = {}): () => FakeCluster {
  let current: FakeCluster | undefined;
  const cleanups: Array<() => Promise<void> | void> = [];
  beforeEach(async () => {
    const namespace = options.namespace ?? 'functions';
    const apiserver = await FakeApiServer.start(options.apiserver);
    cleanups.push(() => apiserver.stop());
    const kubelet = new Kubelet(apiserver.store, { terminationGraceMs: 3000, ...options.kubelet });
    cleanups.push(() => kubelet.stop());
    const kubeconfig = writeKubeconfig({ server: apiserver.url, token: apiserver.token, namespace });
    cleanups.push(() => removeKubeconfig(kubeconfig));
    current = {
      apiserver, kubelet, namespace, kubeconfig,
      kubeConfig: loadKubeConfig(kubeconfig),
      addFunction(name, seed = {}) {
        apiserver.store.create('services', service(name, namespace, seed.service));
        apiserver.store.create('deployments', deployment(name, namespace, seed.deployment));
      },
      defer: (cleanup) => void cleanups.push(cleanup),
    };
  });
  afterEach(async () => {
    current = undefined;
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return () => {
    if (!current) throw new Error('useFakeCluster(): only inside a test');
    return current;
  };
}

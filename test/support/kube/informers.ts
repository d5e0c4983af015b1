// Real @kubernetes/client-node informers on a fake cluster, traced, and
// stopped after the test: what the gateway's Kubernetes backend runs.
import { CoreV1Api, DiscoveryV1Api, makeInformer, type Informer, type ObjectCache, type V1EndpointSlice, type V1Service } from '@kubernetes/client-node';
import type { FakeCluster } from './cluster.js';
import { traceInformer, type InformerTrace } from './informer-events.js';
import { SERVICE_NAME_LABEL } from './objects.js';

export interface Traced<T extends V1Service | V1EndpointSlice> {
  readonly informer: Informer<T> & ObjectCache<T>;
  readonly trace: InformerTrace<T>;
  /** The resourceVersion of each LIST the informer made. */
  readonly listed: ReadonlyArray<string | undefined>;
}

/**
 * A services informer (not started). With `restartAfterMs`, each error
 * restarts it after that delay, as the gateway does (client-node 1.x stays
 * stopped after an error) — except the error stop() itself causes.
 */
export function servicesInformer(cluster: FakeCluster, restartAfterMs?: number): Traced<V1Service> {
  const { kubeConfig, namespace } = cluster;
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const listed: Array<string | undefined> = [];
  const informer = makeInformer<V1Service>(kubeConfig, `/api/v1/namespaces/${namespace}/services`, async () => {
    const list = await core.listNamespacedService({ namespace });
    listed.push(list.metadata?.resourceVersion);
    return list;
  });
  let stopping = false;
  if (restartAfterMs !== undefined) informer.on('error', () => void setTimeout(() => stopping || void informer.start(), restartAfterMs));
  cluster.defer(async () => {
    stopping = true; // stop() aborts the watch, and the informer reports that abort as an 'error' too
    await informer.stop();
  });
  return { informer, trace: traceInformer(informer), listed };
}

/** An EndpointSlice informer for Service `service` (kubernetes.io/service-name=SERVICE), not started. */
export function slicesInformer(cluster: FakeCluster, service: string): Traced<V1EndpointSlice> {
  const { kubeConfig, namespace } = cluster;
  const discovery = kubeConfig.makeApiClient(DiscoveryV1Api);
  const selector = `${SERVICE_NAME_LABEL}=${service}`;
  const listed: Array<string | undefined> = [];
  const informer = makeInformer<V1EndpointSlice>(kubeConfig, `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`, async () => {
    const list = await discovery.listNamespacedEndpointSlice({ namespace, labelSelector: selector });
    listed.push(list.metadata?.resourceVersion);
    return list;
  }, selector);
  cluster.defer(() => informer.stop());
  return { informer, trace: traceInformer(informer), listed };
}

export interface SeenEndpoint {
  readonly address: string;
  /** The slice port named http, else its first. */
  readonly port: number | undefined;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
}

export function endpointsOf(slices: readonly V1EndpointSlice[]): SeenEndpoint[] {
  return slices.flatMap((slice) => slice.endpoints.map((endpoint) => ({
    address: endpoint.addresses[0] ?? '',
    port: slice.ports?.find((port) => port.name === 'http')?.port ?? slice.ports?.[0]?.port,
    ready: endpoint.conditions?.ready === true,
    serving: endpoint.conditions?.serving === true,
    terminating: endpoint.conditions?.terminating === true,
  })));
}

// Builders for the objects tests seed into the fake cluster, shaped as
// `kubectl get -o json` shows them (only the fields the gateway reads).
import type { KubeObject } from './resources.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';

export interface ServiceOptions {
  readonly annotations?: Record<string, string>;
  /** Pod labels the Service selects (default { app: name }). */
  readonly selector?: Record<string, string>;
  readonly port?: number;
}

export function service(name: string, namespace: string, options: ServiceOptions = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, annotations: { ...options.annotations } },
    spec: {
      selector: options.selector ?? { app: name },
      ports: [{ name: 'http', port: options.port ?? 80, targetPort: 'http', protocol: 'TCP' }],
      type: 'ClusterIP',
    },
  };
}

export interface DeploymentOptions {
  readonly replicas?: number;
  /** Pod template labels (default { app: name }). */
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export function deployment(name: string, namespace: string, options: DeploymentOptions = {}): KubeObject {
  const labels = options.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, annotations: { ...options.annotations } },
    spec: {
      replicas: options.replicas ?? 0,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'function', image: 'gatehouse/test-function' }] } },
    },
    status: { replicas: 0, readyReplicas: 0, availableReplicas: 0 },
  };
}

export interface EndpointState {
  readonly address: string;
  readonly ready: boolean;
  readonly serving?: boolean;
  readonly terminating?: boolean;
  /** The pod behind it, as targetRef. */
  readonly pod?: { readonly name: string; readonly uid?: string };
}

export interface SliceOptions {
  readonly name?: string;
  readonly port?: number;
  readonly portName?: string;
  readonly managedBy?: string;
}

/** A discovery.k8s.io/v1 EndpointSlice of `serviceName`. */
export function endpointSlice(serviceName: string, namespace: string, endpoints: readonly EndpointState[], options: SliceOptions = {}): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: options.name ?? `${serviceName}-slice`,
      namespace,
      labels: { [SERVICE_NAME_LABEL]: serviceName, [MANAGED_BY_LABEL]: options.managedBy ?? 'endpointslice-controller.k8s.io' },
    },
    addressType: 'IPv4',
    endpoints: endpoints.map((endpoint) => ({
      addresses: [endpoint.address],
      conditions: { ready: endpoint.ready, serving: endpoint.serving ?? endpoint.ready, terminating: endpoint.terminating ?? false },
      ...(endpoint.pod ? { targetRef: { kind: 'Pod', namespace, name: endpoint.pod.name, uid: endpoint.pod.uid } } : {}),
      nodeName: 'gatehouse-fake-node',
    })),
    // A slice with no endpoints still names its ports, as the controller writes it.
    ports: options.port === undefined ? [] : [{ name: options.portName ?? 'http', port: options.port, protocol: 'TCP' }],
  };
}

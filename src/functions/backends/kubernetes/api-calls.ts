// Every Kubernetes API call the backend may make, as RBAC sees it (SPEC §5
// "Needed RBAC"). deploy/kubernetes/rbac.yaml grants exactly these and nothing
// more: test/unit/deploy-manifests.test.ts checks that the Role's rules expand to
// this very set, and that every client call found in this folder (typed API
// methods, watch paths) is in it. A new call means a new line here and a new verb
// in the Role, or the test fails.

export type KubernetesVerb = 'get' | 'list' | 'watch' | 'patch';

export interface KubernetesApiCall {
  /** The API group: '' for the core group. */
  readonly group: string;
  /** The resource, with its subresource as `resource/subresource`. */
  readonly resource: string;
  readonly verb: KubernetesVerb;
}

export const KUBERNETES_API_CALLS: readonly KubernetesApiCall[] = Object.freeze<KubernetesApiCall[]>([
  // A function is a Service (its annotations tell how it wakes and sleeps).
  { group: '', resource: 'services', verb: 'get' },
  { group: '', resource: 'services', verb: 'list' },
  { group: '', resource: 'services', verb: 'watch' },
  // Its endpoints: the EndpointSlices labelled kubernetes.io/service-name.
  { group: 'discovery.k8s.io', resource: 'endpointslices', verb: 'get' },
  { group: 'discovery.k8s.io', resource: 'endpointslices', verb: 'list' },
  { group: 'discovery.k8s.io', resource: 'endpointslices', verb: 'watch' },
  // Idle bookkeeping: the gatehouse.io/last-request-at annotation.
  { group: 'apps', resource: 'deployments', verb: 'get' },
  { group: 'apps', resource: 'deployments', verb: 'patch' },
  // Wake and sleep: the scale subresource.
  { group: 'apps', resource: 'deployments/scale', verb: 'get' },
  { group: 'apps', resource: 'deployments/scale', verb: 'patch' },
]);

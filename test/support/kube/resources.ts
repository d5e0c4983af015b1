// The resources the fake apiserver serves, how their URLs parse, and the
// `Status` objects it answers errors with (meta/v1 Status, as a real apiserver
// sends them: kind, apiVersion, status: Failure, message, reason, code).

export interface KubeMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: KubeMeta;
  [key: string]: unknown;
}

export type ResourceName = 'services' | 'endpointslices' | 'deployments';

export interface ResourceDef {
  readonly name: ResourceName;
  readonly group: string; // '' is the core group
  readonly apiVersion: string;
  readonly kind: string;
  readonly prefix: string;
}

export const RESOURCES: Readonly<Record<ResourceName, ResourceDef>> = Object.freeze({
  services: { name: 'services', group: '', apiVersion: 'v1', kind: 'Service', prefix: '/api/v1' },
  endpointslices: { name: 'endpointslices', group: 'discovery.k8s.io', apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', prefix: '/apis/discovery.k8s.io/v1' },
  deployments: { name: 'deployments', group: 'apps', apiVersion: 'apps/v1', kind: 'Deployment', prefix: '/apis/apps/v1' },
});

/** The RBAC-style verbs, as the authorizer sees them. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface KubePath {
  readonly resource: ResourceDef;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: 'scale' | undefined;
}

const PATTERNS: ReadonlyArray<readonly [RegExp, ResourceDef]> = [
  [/^\/api\/v1\/(?:namespaces\/([^/]+)\/)?services(?:\/([^/]+))?\/?$/, RESOURCES.services],
  [/^\/apis\/discovery\.k8s\.io\/v1\/(?:namespaces\/([^/]+)\/)?endpointslices(?:\/([^/]+))?\/?$/, RESOURCES.endpointslices],
  [/^\/apis\/apps\/v1\/(?:namespaces\/([^/]+)\/)?deployments(?:\/([^/]+)(?:\/(scale))?)?\/?$/, RESOURCES.deployments],
];

/** Parses a resource URL path; undefined for anything the fake does not serve. */
export function parseKubePath(pathname: string): KubePath | undefined {
  for (const [pattern, resource] of PATTERNS) {
    const match = pattern.exec(pathname);
    if (!match) continue;
    const [, namespace, name, subresource] = match;
    // A named object needs its namespace: all three resources are namespaced.
    if (name !== undefined && namespace === undefined) return undefined;
    return {
      resource,
      namespace: namespace === undefined ? undefined : decodeURIComponent(namespace),
      name: name === undefined ? undefined : decodeURIComponent(name),
      subresource: subresource === 'scale' ? 'scale' : undefined,
    };
  }
  return undefined;
}

/** The verb the authorizer sees, as kube-apiserver's RequestInfoFactory derives it. */
export function verbOf(method: string, path: KubePath, watch: boolean): Verb | undefined {
  if (path.name === undefined) {
    if (method === 'GET') return watch ? 'watch' : 'list';
    if (method === 'POST') return 'create';
    if (method === 'DELETE') return 'deletecollection';
    return undefined;
  }
  switch (method) {
    case 'GET': return watch ? 'watch' : 'get';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return 'delete';
    default: return undefined;
  }
}

/** `deployments/scale`, `services`: the resource string RBAC rules name. */
export function rbacResource(path: KubePath): string {
  return path.subresource === undefined ? path.resource.name : `${path.resource.name}/${path.subresource}`;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
}

/** An API error: thrown by the store and the handlers, sent as a Status. */
export class KubeError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string, readonly details?: StatusDetails) {
    super(message);
  }
}

export function statusBody(code: number, reason: string, message: string, details?: StatusDetails): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

export const notFound = (resource: ResourceDef, name: string): KubeError =>
  new KubeError(404, 'NotFound', `${resource.name}${resource.group ? `.${resource.group}` : ''} "${name}" not found`, { name, group: resource.group, kind: resource.name });

export const conflict = (resource: ResourceDef, name: string): KubeError =>
  new KubeError(409, 'Conflict', `Operation cannot be fulfilled on ${resource.name}${resource.group ? `.${resource.group}` : ''} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, group: resource.group, kind: resource.name });

export const badRequest = (message: string): KubeError => new KubeError(400, 'BadRequest', message);

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const clone = <T>(value: T): T => structuredClone(value);

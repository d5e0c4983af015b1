// The non-watch verbs of the fake apiserver: list, get, create, update, patch,
// delete, and the Deployment `scale` subresource (autoscaling/v1 Scale).
import { applyPatch, patchTypeOf } from './patch.js';
import { badRequest, clone, conflict, isRecord, KubeError, notFound, type KubeObject, type KubePath } from './resources.js';
import { objectFilter, selectorString } from './selectors.js';
import type { ObjectStore } from './store.js';

export interface ApiCall {
  readonly method: string;
  readonly path: KubePath;
  readonly query: URLSearchParams;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

export interface ApiReply {
  readonly code: number;
  readonly body: unknown;
}

export function handleCall(store: ObjectStore, call: ApiCall): ApiReply {
  const { path, method } = call;
  if (path.subresource === 'scale') return handleScale(store, call);
  if (path.name === undefined) {
    if (method === 'GET') return { code: 200, body: list(store, call) };
    if (method === 'POST' && path.namespace !== undefined) return { code: 201, body: store.create(path.resource.name, incoming(call, undefined)) };
    throw methodNotAllowed(method);
  }
  const namespace = path.namespace ?? '';
  switch (method) {
    case 'GET': return { code: 200, body: existing(store, path) };
    case 'PUT': return { code: 200, body: store.replace(path.resource.name, keepStatus(existing(store, path), incoming(call, path.name))) };
    case 'PATCH': return { code: 200, body: patchObject(store, call) };
    case 'DELETE': return { code: 200, body: store.delete(path.resource.name, namespace, path.name) };
    default: throw methodNotAllowed(method);
  }
}

function list(store: ObjectStore, call: ApiCall): Record<string, unknown> {
  const { resource, namespace } = call.path;
  // Like a real apiserver, list items carry no kind/apiVersion of their own.
  const items = store.list(resource.name, namespace).filter(objectFilter(namespace, call.query)).map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest);
  return { kind: `${resource.kind}List`, apiVersion: resource.apiVersion, metadata: { resourceVersion: String(store.resourceVersion) }, items };
}

function existing(store: ObjectStore, path: KubePath): KubeObject {
  const found = store.get(path.resource.name, path.namespace ?? '', path.name ?? '');
  if (!found) throw notFound(path.resource, path.name ?? '');
  return found;
}

/** The request body as an object of this namespace (and name, for PUT). */
function incoming(call: ApiCall, name: string | undefined): KubeObject {
  const body = call.body;
  if (!isRecord(body) || !isRecord(body.metadata)) throw badRequest('the request body must be an object with metadata');
  const object = { ...body, metadata: { ...body.metadata } } as KubeObject;
  object.metadata.namespace ??= call.path.namespace;
  if (object.metadata.namespace !== call.path.namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  if (name !== undefined && object.metadata.name !== name) throw badRequest('the name of the object does not match the name on the URL');
  return object;
}

/** Writes to a Deployment's main resource ignore status, which has its own subresource. */
function keepStatus(current: KubeObject, next: KubeObject): KubeObject {
  if (current.kind !== 'Deployment') return next;
  const { status: _ignored, ...rest } = next;
  return current.status === undefined ? { ...rest, metadata: rest.metadata } : { ...rest, metadata: rest.metadata, status: clone(current.status) };
}

/** A patch whose result names a resourceVersion other than the current one is a conflict (optimistic concurrency). */
function checkVersion(call: ApiCall, patched: Record<string, unknown>, currentRv: string | undefined): void {
  const meta = patched.metadata;
  const rv = isRecord(meta) ? meta.resourceVersion : undefined;
  if (rv !== undefined && rv !== currentRv) throw conflict(call.path.resource, call.path.name ?? '');
}

function patchObject(store: ObjectStore, call: ApiCall): KubeObject {
  const current = existing(store, call.path);
  const patched = applyPatch(patchTypeOf(call.contentType), current, call.body);
  checkVersion(call, patched, current.metadata.resourceVersion);
  const meta = patched.metadata;
  if (!isRecord(meta) || meta.name !== current.metadata.name || meta.namespace !== current.metadata.namespace) {
    throw new KubeError(422, 'Invalid', `${current.kind ?? 'object'} "${current.metadata.name ?? ''}" is invalid: metadata.name and metadata.namespace are immutable`);
  }
  const next = { ...patched, metadata: { ...meta, resourceVersion: current.metadata.resourceVersion } } as KubeObject;
  return store.replace(call.path.resource.name, keepStatus(current, next));
}

function spec(object: KubeObject): Record<string, unknown> {
  return isRecord(object.spec) ? object.spec : {};
}

/** autoscaling/v1 Scale of a Deployment, as the scale subresource presents it. */
export function scaleOf(deployment: KubeObject): KubeObject {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = deployment.metadata;
  const status = isRecord(deployment.status) ? deployment.status : {};
  const selector = isRecord(spec(deployment).selector) ? (spec(deployment).selector as { matchLabels?: Record<string, string> }).matchLabels : undefined;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: typeof spec(deployment).replicas === 'number' ? spec(deployment).replicas : 1 },
    status: { replicas: typeof status.replicas === 'number' ? status.replicas : 0, selector: selectorString(selector) },
  };
}

function handleScale(store: ObjectStore, call: ApiCall): ApiReply {
  const deployment = existing(store, call.path);
  const current = scaleOf(deployment);
  if (call.method === 'GET') return { code: 200, body: current };
  let next: Record<string, unknown>;
  if (call.method === 'PATCH') next = applyPatch(patchTypeOf(call.contentType), current, call.body);
  else if (call.method === 'PUT' && isRecord(call.body)) next = call.body;
  else throw methodNotAllowed(call.method);
  checkVersion(call, next, current.metadata.resourceVersion);
  const replicas = isRecord(next.spec) ? next.spec.replicas : undefined;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw new KubeError(422, 'Invalid', `Scale.autoscaling "${call.path.name ?? ''}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
  }
  const updated = store.mutate('deployments', call.path.namespace ?? '', call.path.name ?? '', (object) => {
    object.spec = { ...spec(object), replicas };
  });
  return { code: 200, body: scaleOf(updated) };
}

const methodNotAllowed = (method: string): KubeError => new KubeError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource: ${method}`);

// What the Kubernetes API would refuse in an object, without a cluster: its
// kind's schema (kubernetes-models) and, as `kubectl apply`'s strict validation
// would, any field the API does not know (the field lists of
// @kubernetes/client-node's models). Used on the manifest files one by one and
// on what `kubectl kustomize` renders from them.
import * as k8s from '@kubernetes/client-node';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';

/** The schema check of each kind deploy/kubernetes may hold, by `apiVersion/kind`; any other kind is refused. */
export const VALIDATORS: Readonly<Record<string, (data: unknown) => void>> = {
  'v1/Namespace': (d) => new Namespace(d as never).validate(),
  'v1/ServiceAccount': (d) => new ServiceAccount(d as never).validate(),
  'v1/Service': (d) => new Service(d as never).validate(),
  'v1/ConfigMap': (d) => new ConfigMap(d as never).validate(),
  'v1/Secret': (d) => new Secret(d as never).validate(),
  'apps/v1/Deployment': (d) => new Deployment(d as never).validate(),
  'policy/v1/PodDisruptionBudget': (d) => new PodDisruptionBudget(d as never).validate(),
  'networking.k8s.io/v1/NetworkPolicy': (d) => new NetworkPolicy(d as never).validate(),
  'rbac.authorization.k8s.io/v1/Role': (d) => new Role(d as never).validate(),
  'rbac.authorization.k8s.io/v1/RoleBinding': (d) => new RoleBinding(d as never).validate(),
  // deploy/kubernetes-overlays/all-namespaces (`--namespace '*'`).
  'rbac.authorization.k8s.io/v1/ClusterRole': (d) => new ClusterRole(d as never).validate(),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': (d) => new ClusterRoleBinding(d as never).validate(),
};

type AttributeTypes = readonly { readonly baseName: string; readonly type: string }[];
export const MODELS = k8s as unknown as Readonly<Record<string, { getAttributeTypeMap?: () => AttributeTypes } | undefined>>;

/** Paths of fields the API does not know (a typo the schemas let through). */
export function unknownFields(value: unknown, type: string, at: string, out: string[]): void {
  if (value === null || typeof value !== 'object') return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, array[1]!, `${at}[${i}]`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    for (const [k, v] of Object.entries(value)) unknownFields(v, map[1]!, `${at}.${k}`, out);
    return;
  }
  const attributes = MODELS[type]?.getAttributeTypeMap?.();
  if (attributes === undefined) return; // string, IntOrString, any...: the schema checks those
  const known = new Map(attributes.map((a) => [a.baseName, a.type]));
  for (const [key, v] of Object.entries(value)) {
    const t = known.get(key);
    if (t === undefined) out.push(`${at}.${key}`);
    else unknownFields(v, t, `${at}.${key}`, out);
  }
}

/** The client's model name for an apiVersion and kind: apps/v1 Deployment -> V1Deployment. */
export function modelName(apiVersion: string, kind: string): string {
  const version = apiVersion.split('/').at(-1) ?? '';
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
}

/** Everything the API would refuse in one object, each as a line naming it; none: []. */
export function schemaProblems(object: { readonly apiVersion?: unknown; readonly kind?: unknown; readonly metadata?: { readonly name?: unknown } }): string[] {
  const apiVersion = String(object.apiVersion);
  const kind = String(object.kind);
  const id = `${kind}/${String(object.metadata?.name)}`;
  const validate = VALIDATORS[`${apiVersion}/${kind}`];
  if (!validate) return [`${id}: ${apiVersion} ${kind} is not a kind deploy/kubernetes is checked for`];
  const problems: string[] = [];
  try {
    validate(object);
  } catch (error) {
    problems.push(`${id}: ${(error as Error).message}`);
  }
  const type = modelName(apiVersion, kind);
  if (!MODELS[type]?.getAttributeTypeMap) return [...problems, `${id}: no client model ${type}`];
  const unknown: string[] = [];
  unknownFields(object, type, id, unknown);
  return [...problems, ...unknown.map((field) => `${field}: a field the Kubernetes API does not know`)];
}

// `--namespace` (SPEC §1, §5): one namespace, a comma-separated list, or `*` for
// every namespace. A route names a function in the first listed namespace by its
// bare name and one elsewhere as NAMESPACE/NAME. Pure: the CLI parses the flag, the
// config checks route references against it, the Kubernetes backend watches it.

/** `list` with no names: the flag was absent, so only the kubeconfig context's namespace is watched. */
export type NamespaceScope = { readonly kind: 'all' } | { readonly kind: 'list'; readonly names: readonly string[] };

/** DNS-1123 label: what a Kubernetes namespace name must be. */
const NAMESPACE_NAME = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** The flag's value as a scope, or a sentence saying what is wrong with it. */
export function parseNamespaceFlag(value: string | undefined): NamespaceScope | string {
  if (value === undefined) return { kind: 'list', names: [] };
  if (value.trim() === '*') return { kind: 'all' };
  const names = value.split(',').map((name) => name.trim());
  const bad = names.find((name) => !NAMESPACE_NAME.test(name));
  if (bad !== undefined) return `--namespace: "${bad}" is not a namespace name (a DNS-1123 label), a comma-separated list of them, or *`;
  return { kind: 'list', names: [...new Set(names)] };
}

/** A route's `function:` split at its one slash; a bare name has no namespace. */
export function splitFunctionRef(ref: string): { readonly namespace: string | null; readonly name: string } {
  const slash = ref.indexOf('/');
  return slash === -1 ? { namespace: null, name: ref } : { namespace: ref.slice(0, slash), name: ref.slice(slash + 1) };
}

/** The registry's name for a function: bare in the home (first listed) namespace, NAMESPACE/NAME elsewhere. */
export function qualifiedName(namespace: string, name: string, home: string): string {
  return namespace === home ? name : `${namespace}/${name}`;
}

// The three PATCH formats @kubernetes/client-node can send (its PatchStrategy):
// JSON Patch (RFC 6902), JSON Merge Patch (RFC 7386) and strategic merge patch.
// Strategic merge is applied as a merge patch: correct for maps and scalars
// (annotations, replicas), but lists are replaced whole instead of merged by
// their patchMergeKey, and `$patch`/`$retainKeys`/`$setElementOrder`
// directives are refused with a 400 rather than misapplied.
// Server-side apply (application/apply-patch+yaml) is a 415.
import { badRequest, clone, isRecord, KubeError } from './resources.js';

export const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'] as const;
export type PatchType = (typeof PATCH_TYPES)[number];

export function patchTypeOf(contentType: string | undefined): PatchType {
  const bare = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const known = PATCH_TYPES.find((type) => type === bare);
  if (known) return known;
  const why = bare.startsWith('application/apply-patch') ? 'server-side apply is not emulated by the fake apiserver; ' : '';
  throw new KubeError(415, 'UnsupportedMediaType', `${why}the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`);
}

/** Applies `patch` of `type` to a copy of `target`; the input is never changed. */
export function applyPatch(type: PatchType, target: Record<string, unknown>, patch: unknown): Record<string, unknown> {
  let result: unknown;
  if (type === 'application/json-patch+json') result = jsonPatch(clone(target), patch);
  else {
    if (!isRecord(patch)) throw badRequest('a merge patch must be a JSON object');
    if (type === 'application/strategic-merge-patch+json') refuseDirectives(patch);
    result = mergePatch(target, patch);
  }
  if (!isRecord(result)) throw badRequest('the patch must leave an object');
  return result;
}

/** RFC 7386 §2: objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return clone(patch);
  const result: Record<string, unknown> = isRecord(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function refuseDirectives(patch: unknown): void {
  if (Array.isArray(patch)) return patch.forEach(refuseDirectives);
  if (!isRecord(patch)) return;
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) throw badRequest(`strategic merge directive ${key} is not emulated by the fake apiserver`);
    refuseDirectives(value);
  }
}

type Container = Record<string, unknown> | unknown[];

/** RFC 6901 pointer → tokens (`~1` is `/`, `~0` is `~`). */
function tokens(pointer: unknown): string[] {
  if (typeof pointer !== 'string' || (pointer !== '' && !pointer.startsWith('/'))) throw badRequest(`invalid JSON pointer: ${String(pointer)}`);
  return pointer === '' ? [] : pointer.slice(1).split('/').map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The container holding the pointer's last token, and that token. */
function locate(doc: unknown, pointer: unknown): [Container, string] {
  const path = tokens(pointer);
  const last = path.pop();
  if (last === undefined) throw badRequest('the root cannot be the target of this operation');
  let node = doc;
  for (const token of path) {
    node = Array.isArray(node) ? node[Number(token)] : isRecord(node) ? node[token] : undefined;
    if (node === undefined) throw badRequest(`path ${String(pointer)} does not exist`);
  }
  if (!Array.isArray(node) && !isRecord(node)) throw badRequest(`path ${String(pointer)} does not exist`);
  return [node, last];
}

function index(array: unknown[], token: string, forAdd: boolean): number {
  const i = token === '-' && forAdd ? array.length : Number(token);
  if (!/^(0|[1-9]\d*|-)$/.test(token) || !Number.isInteger(i) || i < 0 || i > array.length || (!forAdd && i === array.length)) {
    throw badRequest(`array index ${token} out of range`);
  }
  return i;
}

function read(doc: unknown, pointer: unknown): unknown {
  if (tokens(pointer).length === 0) return doc;
  const [container, key] = locate(doc, pointer);
  const value = Array.isArray(container) ? container[index(container, key, false)] : container[key];
  if (value === undefined) throw badRequest(`path ${String(pointer)} does not exist`);
  return value;
}

function add(doc: unknown, pointer: unknown, value: unknown): unknown {
  if (tokens(pointer).length === 0) return clone(value);
  const [container, key] = locate(doc, pointer);
  if (Array.isArray(container)) container.splice(index(container, key, true), 0, clone(value));
  else container[key] = clone(value);
  return doc;
}

function remove(doc: unknown, pointer: unknown): unknown {
  read(doc, pointer);
  const [container, key] = locate(doc, pointer);
  if (Array.isArray(container)) container.splice(index(container, key, false), 1);
  else delete container[key];
  return doc;
}

function jsonPatch(doc: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw badRequest('json patch must be an array of operations (RFC 6902)');
  for (const op of operations) {
    if (!isRecord(op)) throw badRequest('json patch operation must be an object');
    switch (op.op) {
      case 'add': doc = add(doc, op.path, op.value); break;
      case 'remove': doc = remove(doc, op.path); break;
      case 'replace': read(doc, op.path); doc = add(remove(doc, op.path), op.path, op.value); break;
      case 'move': { const value = read(doc, op.from); doc = add(remove(doc, op.from), op.path, value); break; }
      case 'copy': doc = add(doc, op.path, read(doc, op.from)); break;
      case 'test':
        if (JSON.stringify(read(doc, op.path)) !== JSON.stringify(op.value)) throw new KubeError(422, 'Invalid', `the test operation failed at ${String(op.path)}`);
        break;
      default: throw badRequest(`unknown json patch operation: ${String(op.op)}`);
    }
  }
  return doc;
}

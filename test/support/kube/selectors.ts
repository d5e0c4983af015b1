// Label selectors (equality- and set-based, as in
// https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors)
// and the two field selectors every resource supports: metadata.name and
// metadata.namespace (= and !=). Anything else is a 400, as a real apiserver
// answers an unknown field label.
import { badRequest, type KubeObject } from './resources.js';

export type ObjectFilter = (object: KubeObject) => boolean;

type Requirement = (labels: Record<string, string>) => boolean;

/** Splits on commas that are not inside `( … )` (set-based values). */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms.map((term) => term.trim()).filter((term) => term !== '');
}

const SET_TERM = /^([\w./-]+)\s+(in|notin)\s*\(([^)]*)\)$/;
const EQUALITY_TERM = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/;
const EXISTS_TERM = /^(!?)([\w./-]+)$/;

function parseTerm(term: string): Requirement {
  const set = SET_TERM.exec(term);
  if (set) {
    const [, key = '', op, list = ''] = set;
    const values = new Set(list.split(',').map((value) => value.trim()));
    return op === 'in'
      ? (labels) => labels[key] !== undefined && values.has(labels[key])
      : (labels) => labels[key] === undefined || !values.has(labels[key]);
  }
  const equality = EQUALITY_TERM.exec(term);
  if (equality) {
    const [, key = '', op, value] = equality;
    return op === '!=' ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
  }
  const exists = EXISTS_TERM.exec(term);
  if (exists) {
    const [, not, key = ''] = exists;
    return not ? (labels) => labels[key] === undefined : (labels) => labels[key] !== undefined;
  }
  throw badRequest(`unable to parse requirement: found '${term}'`);
}

export function labelFilter(selector: string | null | undefined): ObjectFilter {
  if (!selector) return () => true;
  const requirements = splitTerms(selector).map(parseTerm);
  return (object) => {
    const labels = object.metadata.labels ?? {};
    return requirements.every((requirement) => requirement(labels));
  };
}

export function fieldFilter(selector: string | null | undefined): ObjectFilter {
  if (!selector) return () => true;
  const checks = splitTerms(selector).map((term): ObjectFilter => {
    const match = /^(metadata\.name|metadata\.namespace)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!match) throw badRequest(`field label not supported by the fake apiserver: ${term}`);
    const [, field, op, value] = match;
    const read = (object: KubeObject): string | undefined => (field === 'metadata.name' ? object.metadata.name : object.metadata.namespace);
    return op === '!=' ? (object) => read(object) !== value : (object) => read(object) === value;
  });
  return (object) => checks.every((check) => check(object));
}

/** The filter a list or watch applies: namespace (if any), labels, fields. */
export function objectFilter(namespace: string | undefined, query: URLSearchParams): ObjectFilter {
  const labels = labelFilter(query.get('labelSelector'));
  const fields = fieldFilter(query.get('fieldSelector'));
  return (object) => (namespace === undefined || object.metadata.namespace === namespace) && labels(object) && fields(object);
}

/** `app=orders,tier=web`: the string form of a matchLabels map (Scale.status.selector). */
export const selectorString = (labels: Record<string, string> | undefined): string =>
  Object.entries(labels ?? {}).map(([key, value]) => `${key}=${value}`).join(',');

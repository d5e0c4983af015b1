// Turns ajv's errors into problems at the YAML node at fault: the key node for an
// unknown key, the value node for a wrong type or value, the map node for a
// missing key (the instancePath is a JSON pointer; positions.ts walks it).
import type { ErrorObject } from 'ajv';
import type { Path, YamlSource } from './positions.js';
import type { FileKind } from './schema.js';
import { validators } from './validators.js';

/** Validate `src` against its file kind; report every error; mark what the semantic pass must skip. */
export function checkSchema(src: YamlSource, kind: FileKind): void {
  const validate = validators[kind];
  if (validate(src.data)) return;
  for (const e of validate.errors ?? []) reportError(src, e);
}

function reportError(src: YamlSource, e: ErrorObject): void {
  const path = parsePointer(e.instancePath);
  if (e.keyword === 'additionalProperties') {
    const key = String(e.params['additionalProperty']);
    src.reportKey([...path, key], `unknown key "${key}"${allowedKeys(e)}`);
    return;
  }
  src.markDirty(path);
  if (e.keyword === 'discriminator') {
    // A missing or non-string `type` is already reported by `required` / `type`.
    if (e.params['error'] === 'mapping') src.report([...path, 'type'], 'type must be one of: jwt, apiKey');
    return;
  }
  if (e.keyword === 'required') {
    src.report(path, `missing required key "${String(e.params['missingProperty'])}"`);
    return;
  }
  src.report(path, `${label(path)} ${mustBe(e)}`);
}

function mustBe(e: ErrorObject): string {
  const p = e.params;
  switch (e.keyword) {
    case 'type':
      return `must be ${typeWords(e)}`;
    case 'enum':
      return `must be one of: ${(p['allowedValues'] as unknown[]).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p['allowedValue'])}`;
    case 'minItems':
    case 'minLength':
      return p['limit'] === 1 ? 'must not be empty' : `must have at least ${String(p['limit'])} entries`;
    case 'minimum':
    case 'maximum':
      return `must be ${String(p['comparison'])} ${String(p['limit'])}`;
    default:
      return e.message ?? `fails ${e.keyword}`;
  }
}

const DEF_WORDS: Readonly<Record<string, string>> = {
  duration: 'a duration such as 30s',
  size: 'a size such as 10MiB',
  nameOrList: 'a name or a list of names',
  nameOrEmptyList: 'a name or a list of names',
  stringMap: 'a map of strings',
};

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map',
  null: 'empty',
};

function typeWords(e: ErrorObject): string {
  const def = /\/\$defs\/(\w+)\/type$/.exec(e.schemaPath)?.[1];
  if (def !== undefined && DEF_WORDS[def] !== undefined) return DEF_WORDS[def];
  const t = e.params['type'] as string | string[];
  return (Array.isArray(t) ? t : [t]).map((x) => TYPE_WORDS[x] ?? x).join(' or ');
}

function allowedKeys(e: ErrorObject): string {
  const props: unknown = (e.parentSchema as { properties?: unknown } | undefined)?.properties;
  if (typeof props !== 'object' || props === null) return '';
  return ` (expected one of: ${Object.keys(props).join(', ')})`;
}

/** `methods[1]` for a list item, `timeout` for a key, `document` for the root. */
function label(path: Path): string {
  const last = path.at(-1);
  if (last === undefined) return 'document';
  if (/^\d+$/.test(String(last)) && path.length > 1) return `${String(path.at(-2))}[${String(last)}]`;
  return String(last);
}

function parsePointer(p: string): Path {
  if (p === '') return [];
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

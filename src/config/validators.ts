// The validators of schema.ts's schemas. As written here they are compiled by ajv
// when this module loads. `npm run build` then replaces this module's compiled
// output with ajv's standalone code for the same schemas (scripts/compile-schemas.mjs),
// so a built gateway never loads ajv nor compiles a schema: that was ~15 MB of
// idle RSS and ~100 ms of start-up (measured; BENCHMARKS.md). Both forms export
// the same `validators`; test/unit/config checks the messages either way.
import AjvModule from 'ajv';
import type { ValidateFunction } from 'ajv';
import { AJV_OPTIONS, SCHEMAS, type FileKind } from './schema.js';

// ajv is CommonJS; under `module: nodenext` its default export arrives as the
// module object, whose `default` is the Ajv class.
const Ajv = AjvModule.default;
const ajv = new Ajv(AJV_OPTIONS);

export const validators: Readonly<Record<FileKind, ValidateFunction>> = Object.freeze({
  routes: ajv.compile(SCHEMAS.routes),
  policies: ajv.compile(SCHEMAS.policies),
  keys: ajv.compile(SCHEMAS.keys),
  functions: ajv.compile(SCHEMAS.functions),
});

// The config schemas are checked against the JSON Schema meta-schema here, once,
// and the validators the gateway runs (ajv's standalone code, made at build by
// scripts/compile-schemas.mjs) are there for every file kind.
import assert from 'node:assert/strict';
import AjvModule from 'ajv';
import { SCHEMAS, type FileKind } from '../../../src/config/schema.js';
import { validators } from '../../../src/config/validators.js';

const Ajv = AjvModule.default;
const KINDS: readonly FileKind[] = ['routes', 'policies', 'keys', 'functions'];

describe('config schemas', () => {
  for (const kind of KINDS) {
    it(`${kind}: is a valid JSON schema, compiled into a validator`, () => {
      const ajv = new Ajv({ strict: true, allowUnionTypes: true, discriminator: true });
      assert.equal(ajv.validateSchema(SCHEMAS[kind]), true, JSON.stringify(ajv.errors));
      assert.equal(typeof validators[kind], 'function');
      assert.equal(validators[kind]({ unknownKey: 1 }), false, 'an unknown key is refused');
    });
  }
});

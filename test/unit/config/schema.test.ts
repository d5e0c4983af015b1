// The config schemas are compiled without checking them against the JSON Schema
// meta-schema (schema.ts: it cost every start ~40 ms), so that check runs here.
import assert from 'node:assert/strict';
import AjvModule from 'ajv';
import { schemaFor, validatorFor, type FileKind } from '../../../src/config/schema.js';

const Ajv = AjvModule.default;
const KINDS: readonly FileKind[] = ['routes', 'policies', 'keys', 'functions'];

describe('config schemas', () => {
  for (const kind of KINDS) {
    it(`${kind}: is a valid JSON schema and compiles in strict mode`, () => {
      const ajv = new Ajv({ strict: true, allowUnionTypes: true, discriminator: true });
      assert.equal(ajv.validateSchema(schemaFor(kind)), true, JSON.stringify(ajv.errors));
      assert.equal(typeof validatorFor(kind), 'function');
    });
  }
});

// Structure, types and unknown keys of every config file kind, as JSON schemas
// checked by ajv (validators.ts compiles them). Formats and cross-references are
// checked in plain code afterwards, where the messages can say what is wrong.
import type { SchemaObject } from 'ajv';

const str = { type: 'string' } as const;
const nonEmpty = { type: 'string', minLength: 1 } as const;
const bool = { type: 'boolean' } as const;
const strings = { type: 'array', items: nonEmpty } as const;
const ref = (name: string): SchemaObject => ({ $ref: `#/$defs/${name}` });

/** Named shapes; a type error under one of these is worded by its name (schema-errors.ts). */
const $defs: Record<string, SchemaObject> = {
  // Numbers are let through so that `30` gets "needs a unit" rather than "must be a string".
  duration: { type: ['string', 'number'] },
  size: { type: ['string', 'number'] },
  nameOrList: { type: ['string', 'array'], minLength: 1, minItems: 1, items: nonEmpty },
  nameOrEmptyList: { type: ['string', 'array'], minLength: 1, items: nonEmpty },
  stringMap: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
  // A module path, or { module, options }: `minLength` binds the string, the rest the object.
  middlewareEntry: {
    type: ['string', 'object'],
    minLength: 1,
    additionalProperties: false,
    required: ['module'],
    properties: { module: nonEmpty, options: { type: 'object' } },
  },
  keyEntry: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'hash'],
    properties: { id: nonEmpty, hash: str, rateLimit: nonEmpty },
  },
};

const route: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'match', 'auth'],
  properties: {
    name: nonEmpty,
    match: {
      type: 'object',
      additionalProperties: false,
      required: ['path'],
      properties: { path: str, methods: { ...strings, minItems: 1 }, host: nonEmpty, headers: ref('stringMap') },
    },
    function: nonEmpty,
    upstream: str,
    rewrite: str,
    auth: ref('nameOrList'),
    scopes: strings,
    rateLimit: ref('nameOrEmptyList'),
    cors: nonEmpty,
    timeout: ref('duration'),
    retries: { type: 'integer', minimum: 0, maximum: 10 },
    maxBodySize: ref('size'),
    wake: { type: 'string', enum: ['authenticated', 'any'] },
    forwardCredentials: bool,
    middleware: { type: 'array', items: ref('middlewareEntry') },
  },
};

const jwt: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['algorithms'],
  properties: {
    type: { const: 'jwt' },
    algorithms: { type: 'array', minItems: 1, items: str },
    jwksUri: str,
    publicKey: str,
    publicKeyFile: nonEmpty,
    secretEnv: str,
    issuer: str,
    audience: ref('nameOrList'),
    clockTolerance: ref('duration'),
    requireExp: bool,
    forwardClaims: { type: 'object', additionalProperties: str },
  },
};

const apiKey: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    type: { const: 'apiKey' },
    in: { type: 'string', enum: ['header', 'query'] },
    name: nonEmpty,
    keys: { type: 'array', items: ref('keyEntry') },
    keysFile: nonEmpty,
  },
};

const rateLimit: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'limits'],
  properties: {
    key: str,
    limits: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['requests', 'per'],
        properties: {
          requests: { type: 'integer', minimum: 1 },
          per: ref('duration'),
          burst: { type: 'integer', minimum: 0 },
        },
      },
    },
    onStoreError: { type: 'string', enum: ['local', 'allow', 'deny'] },
  },
};

const cors: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['origins'],
  properties: {
    origins: { ...strings, minItems: 1 },
    methods: { ...strings, minItems: 1 },
    headers: strings,
    exposeHeaders: strings,
    credentials: bool,
    maxAge: ref('duration'),
  },
};

const fn: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['command'],
  properties: {
    command: { ...strings, minItems: 1 },
    cwd: nonEmpty,
    env: ref('stringMap'),
    readinessPath: str,
    idleTimeout: ref('duration'),
    maxInstances: { type: 'integer', minimum: 1 },
    concurrency: { type: 'integer', minimum: 0 },
    coldStartTimeout: ref('duration'),
    maxPending: { type: 'integer', minimum: 1 },
    maxPendingBytes: ref('size'),
  },
};

const mapOf = (value: SchemaObject): SchemaObject => ({ type: 'object', additionalProperties: value });

const fileSchemas = {
  routes: {
    type: 'object',
    additionalProperties: false,
    required: ['routes'],
    properties: { routes: { type: 'array', items: route } },
  },
  policies: {
    type: 'object',
    additionalProperties: false,
    properties: {
      auth: mapOf({
        type: 'object',
        // The discriminator validates only the branch `type` names, so a jwt
        // policy is never also reported for lacking apiKey's fields.
        discriminator: { propertyName: 'type' },
        required: ['type'],
        properties: { type: str },
        oneOf: [jwt, apiKey],
      }),
      rateLimits: mapOf(rateLimit),
      cors: mapOf(cors),
    },
  },
  keys: {
    type: 'object',
    additionalProperties: false,
    required: ['keys'],
    properties: { keys: { type: 'array', items: ref('keyEntry') } },
  },
  functions: {
    type: 'object',
    additionalProperties: false,
    required: ['functions'],
    properties: { functions: mapOf(fn) },
  },
} satisfies Record<string, SchemaObject>;

export type FileKind = keyof typeof fileSchemas;

/** Each file kind's whole schema, named shapes included. */
export const SCHEMAS: Readonly<Record<FileKind, SchemaObject>> = {
  routes: { ...fileSchemas.routes, $defs },
  policies: { ...fileSchemas.policies, $defs },
  keys: { ...fileSchemas.keys, $defs },
  functions: { ...fileSchemas.functions, $defs },
};

// allErrors: report every problem, not the first. verbose: errors carry their
// parent schema, which lists the allowed keys for an "unknown key" message.
export const AJV_OPTIONS = Object.freeze({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true, discriminator: true });

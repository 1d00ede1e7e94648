import type { FastifySchemaValidationError } from 'fastify';
import { WorklinkError } from '../errors.js';

/*
 * Messages for request validation errors. Fastify's Ajv reports each failed keyword of each union
 * branch, so these functions reduce them to one line per field. The line names the value received
 * and what would be valid.
 */

/** Joins the context (`body`, `querystring`) and the JSON pointer into a dotted field name. */
function fieldName(context: string | undefined, instancePath: string, extra?: string): string {
  const parts = instancePath
    .split('/')
    .filter((part) => part !== '')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) {
    parts.push(extra);
  }
  const path = parts.join('.');
  return path === '' ? (context ?? 'body') : path;
}

/**
 * A validator error. The app's Ajv runs with `verbose`, which adds the value
 * (`data`), the keyword's schema (`schema`) and the schema that contains it (`parentSchema`).
 */
type ValidationError = FastifySchemaValidationError & { data?: unknown; schema?: unknown; parentSchema?: unknown };

/** Maximum length of a received string that a message repeats; a longer one is cut. */
const quotedValueLimit = 60;

/** Describes a received value for a message: strings and numbers as sent, arrays and objects by kind. */
function received(value: unknown): string {
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (typeof value === 'string') {
    const excerpt = value.length > quotedValueLimit ? `${value.slice(0, quotedValueLimit)}…` : value;
    return JSON.stringify(excerpt);
  }
  if (value !== null && typeof value === 'object') {
    return 'an object';
  }
  return String(value);
}

/** Names where a field was sent, in the words of an HTTP client rather than Fastify's. */
const contextNames: Record<string, string> = {
  body: 'body',
  params: 'URL path',
  querystring: 'query string',
  headers: 'headers',
};

function contextName(context: string | undefined): string {
  return context === undefined ? 'request' : (contextNames[context] ?? context);
}

/** Names a count of things: `1 character`, `3 items`. */
function count(limit: unknown, noun: string): string {
  return `${String(limit)} ${noun}${limit === 1 ? '' : 's'}`;
}

/** Lists allowed values: plain words bare, anything else as JSON. */
function allowedList(values: readonly unknown[]): string {
  return values
    .map((value) => (typeof value === 'string' && /^[^\s,;"]+$/.test(value) ? value : JSON.stringify(value)))
    .join(', ');
}

const typeNames: Record<string, string> = {
  string: 'text',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  null: 'null',
};

/** Names the types of Ajv's `type` parameter, which lists several separated by commas. */
function typeList(types: string): string {
  const names = [...new Set(types.split(','))].map((type) => typeNames[type] ?? type);
  return names.length <= 1 ? (names[0] ?? 'another type') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

function schemaProperty(schema: unknown, key: string): unknown {
  return schema !== null && typeof schema === 'object' ? (schema as Record<string, unknown>)[key] : undefined;
}

/** Returns the constants of a union whose every branch is one constant (TypeBox's union of literals), or undefined. */
function unionConstants(union: ValidationError): unknown[] | undefined {
  if (!Array.isArray(union.schema) || union.schema.length === 0) {
    return undefined;
  }
  const constants = union.schema.map((branch: unknown) => schemaProperty(branch, 'const'));
  return constants.every((value) => value !== undefined) ? constants : undefined;
}

function isDeeperOrSame(path: string, parent: string): boolean {
  return path === parent || path.startsWith(`${parent}/`);
}

/**
 * Replaces the errors of one failed union (`anyOf`) by what the caller needs to know. A union
 * of constants gets one `enum` error. Any other union gets the errors of the branch that fits
 * the value's type, or one `type` error that names every branch when none fits.
 */
function collapseUnion(union: ValidationError, branchErrors: ValidationError[]): ValidationError[] {
  const constants = unionConstants(union);
  if (constants !== undefined) {
    return [{ ...union, keyword: 'enum', params: { allowedValues: constants } }];
  }

  const prefix = `${union.schemaPath}/`;
  const branches = new Map<string, ValidationError[]>();
  for (const error of branchErrors) {
    const branch = error.schemaPath.slice(prefix.length).split('/')[0] ?? '';
    branches.set(branch, [...(branches.get(branch) ?? []), error]);
  }

  // A branch whose type or constant differs from the value itself is not the one the caller meant.
  const misfit = (errors: ValidationError[]) =>
    errors.some(
      (error) => error.instancePath === union.instancePath && (error.keyword === 'type' || error.keyword === 'const'),
    );
  const fitting = [...branches.values()].filter((errors) => !misfit(errors));
  if (fitting.length > 0) {
    const depth = (errors: ValidationError[]) => Math.max(...errors.map((error) => error.instancePath.length));
    return fitting.reduce((best, errors) => (depth(errors) > depth(best) ? errors : best));
  }

  const types = Array.isArray(union.schema)
    ? union.schema.map((branch: unknown) => String(schemaProperty(branch, 'type') ?? 'another type'))
    : [];
  return [{ ...union, keyword: 'type', params: { type: types.join(',') } }];
}

/**
 * Collapses every failed union, the innermost first, so that one field gets one error.
 * TypeBox inlines every schema (no `$ref`), so the schema path of a branch's errors
 * starts with the schema path of its union.
 */
function collapseUnions(errors: ValidationError[]): ValidationError[] {
  const unions = errors
    .filter((error) => error.keyword === 'anyOf')
    .sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  let result = errors;
  for (const union of unions) {
    const prefix = `${union.schemaPath}/`;
    const inUnion = (error: ValidationError) =>
      error === union ||
      (error.schemaPath.startsWith(prefix) && isDeeperOrSame(error.instancePath, union.instancePath));
    const replacement = collapseUnion(
      union,
      result.filter((error) => error !== union && inUnion(error)),
    );
    const first = result.findIndex(inUnion);
    result = [...result.slice(0, first), ...replacement, ...result.slice(first).filter((error) => !inUnion(error))];
  }
  return result;
}

/**
 * Says what is wrong with a value, naming the value and what is allowed. `specific` is false
 * for Ajv's own wording, which gets a pointer to the schema.
 */
function describeProblem(error: ValidationError): { problem: string; specific: boolean } {
  const got = 'data' in error ? `; got ${received(error.data)}` : '';
  switch (error.keyword) {
    case 'enum':
      return {
        problem: `must be one of ${allowedList(error.params.allowedValues as unknown[])}${got}`,
        specific: true,
      };
    case 'const':
      return { problem: `must be ${allowedList([error.params.allowedValue])}${got}`, specific: true };
    case 'type':
      return { problem: `must be ${typeList(String(error.params.type))}${got}`, specific: true };
    case 'pattern': {
      // A regular expression means little to the caller, so the schema's description states it in words.
      const description = schemaProperty(error.parentSchema, 'description');
      return typeof description === 'string'
        ? { problem: `must be ${description}${got}`, specific: true }
        : { problem: `does not have the expected format${got}`, specific: false };
    }
    case 'required':
      return { problem: 'is missing: add it', specific: true };
    case 'minLength':
      return error.params.limit === 1
        ? { problem: `must not be empty${got}`, specific: true }
        : { problem: `must be at least ${count(error.params.limit, 'character')} long${got}`, specific: true };
    case 'maxLength': {
      // A value over the limit can be long, so the message names only its length.
      const length = typeof error.data === 'string' ? `; got ${count(error.data.length, 'character')}` : '';
      return { problem: `must be at most ${count(error.params.limit, 'character')} long${length}`, specific: true };
    }
    case 'minimum':
      return { problem: `must be at least ${String(error.params.limit)}${got}`, specific: true };
    case 'maximum':
      return { problem: `must be at most ${String(error.params.limit)}${got}`, specific: true };
    case 'minItems':
      return { problem: `must list at least ${count(error.params.limit, 'item')}`, specific: true };
    case 'maxItems':
      return { problem: `must list at most ${count(error.params.limit, 'item')}`, specific: true };
    default:
      return { problem: error.message ?? error.keyword, specific: false };
  }
}

/** Turns the schema validator's errors into one coded error that names the first field. */
export function translateValidation(
  validation: FastifySchemaValidationError[],
  context: string | undefined,
): WorklinkError {
  const errors = collapseUnions(validation);
  const unknown = errors.filter((error) => error.keyword === 'additionalProperties');
  if (unknown.length > 0) {
    const fields = unknown.map((error) =>
      fieldName(context, error.instancePath, String(error.params.additionalProperty)),
    );
    return new WorklinkError(
      'WORKLINK_UNKNOWN_FIELD',
      `Unknown field "${fields[0]}" in the ${contextName(context)}: remove it; see the schema at /docs.`,
      { details: fields.map((field) => ({ field })) },
    );
  }

  const problems = errors.map((error) => {
    const missing = error.keyword === 'required' ? String(error.params.missingProperty) : undefined;
    return { field: fieldName(context, error.instancePath, missing), ...describeProblem(error) };
  });
  const first = problems[0] ?? { field: context ?? 'request', problem: 'is invalid', specific: false };
  const advice = first.specific ? '.' : ': fix it; see the schema at /docs.';
  return new WorklinkError(
    'WORKLINK_VALIDATION_FAILED',
    `Field "${first.field}" in the ${contextName(context)} ${first.problem}${advice}`,
    { details: problems.map(({ field, problem }) => ({ field, problem })) },
  );
}

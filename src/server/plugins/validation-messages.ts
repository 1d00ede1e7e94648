import type { FastifySchemaValidationError } from 'fastify';
import type { LocalizedText } from '../../core/language.js';
import { WorklinkError } from '../errors.js';
import { polishCount } from '../localized-text.js';
import type { PolishPluralForms } from '../localized-text.js';
import { polishPatternDescription } from '../routes/pattern-descriptions.js';

/*
 * Messages for request validation errors, in English and Polish. Fastify's Ajv reports each failed
 * keyword of each union branch, so these functions reduce them to one line per field. The line
 * names the value received and what would be valid.
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

/**
 * Describes a received value for a message: strings and numbers as sent, arrays and objects by
 * kind. The Polish kind is in the accusative, as it follows "otrzymano".
 */
function received(value: unknown): LocalizedText {
  if (Array.isArray(value)) {
    return { en: 'an array', pl: 'tablicę' };
  }
  if (typeof value === 'string') {
    const excerpt = value.length > quotedValueLimit ? `${value.slice(0, quotedValueLimit)}…` : value;
    return same(JSON.stringify(excerpt));
  }
  if (value !== null && typeof value === 'object') {
    return { en: 'an object', pl: 'obiekt' };
  }
  return same(String(value));
}

/** Returns a text that is the same in every language, such as a quoted value. */
function same(text: string): LocalizedText {
  return { en: text, pl: text };
}

/**
 * Names where a field was sent, in the words of an HTTP client rather than Fastify's. The
 * Polish name is in the locative, as it follows "w".
 */
const contextNames: Record<string, LocalizedText> = {
  body: { en: 'body', pl: 'treści żądania' },
  params: { en: 'URL path', pl: 'ścieżce URL' },
  querystring: { en: 'query string', pl: 'parametrach zapytania' },
  headers: { en: 'headers', pl: 'nagłówkach' },
};

function contextName(context: string | undefined): LocalizedText {
  return context === undefined ? { en: 'request', pl: 'żądaniu' } : (contextNames[context] ?? same(context));
}

/**
 * The Polish noun for one value of a part of the request: a body's value is a field ("pole",
 * neuter), a query string and a path contain parameters, and headers are headers (both masculine).
 * Adjectives and pronouns of the message agree with the noun.
 */
interface PolishValueNoun {
  /** The noun and where it was sent, as the subject of the message: `Pole "name" w treści żądania`. */
  subject(field: string): string;
  /** The same for an unknown one: `Nieznane pole "name" w treści żądania`. */
  unknown(field: string): string;
  neuter: boolean;
}

function polishValueNoun(context: string | undefined): PolishValueNoun {
  switch (context) {
    case 'querystring':
      return {
        subject: (field) => `Parametr "${field}" w zapytaniu`,
        unknown: (field) => `Nieznany parametr "${field}" w zapytaniu`,
        neuter: false,
      };
    case 'params':
      return {
        subject: (field) => `Parametr "${field}" w ścieżce URL`,
        unknown: (field) => `Nieznany parametr "${field}" w ścieżce URL`,
        neuter: false,
      };
    case 'headers':
      return {
        subject: (field) => `Nagłówek "${field}"`,
        unknown: (field) => `Nieznany nagłówek "${field}"`,
        neuter: false,
      };
    default: {
      const where = contextName(context).pl;
      return {
        subject: (field) => `Pole "${field}" w ${where}`,
        unknown: (field) => `Nieznane pole "${field}" w ${where}`,
        neuter: true,
      };
    }
  }
}

/** An English noun and its Polish plural forms, for counts. */
interface CountedNoun {
  en: string;
  pl: PolishPluralForms;
}

const characters: CountedNoun = { en: 'character', pl: { one: 'znak', few: 'znaki', many: 'znaków' } };
const items: CountedNoun = { en: 'item', pl: { one: 'element', few: 'elementy', many: 'elementów' } };

/** Names a count of things: `1 character`, `3 items`; in Polish `1 znak`, `3 znaki`, `5 znaków`. */
function count(limit: unknown, noun: CountedNoun): LocalizedText {
  const en = `${String(limit)} ${noun.en}${limit === 1 ? '' : 's'}`;
  return { en, pl: typeof limit === 'number' ? polishCount(limit, noun.pl) : `${String(limit)} ${noun.pl.many}` };
}

/** Lists allowed values: plain words bare, anything else as JSON. */
function allowedList(values: readonly unknown[]): string {
  return values
    .map((value) => (typeof value === 'string' && /^[^\s,;"]+$/.test(value) ? value : JSON.stringify(value)))
    .join(', ');
}

/** Stands for a union branch without a `type` keyword. */
const anotherType = 'another type';
const anotherTypeName: LocalizedText = { en: anotherType, pl: 'wartością innego typu' };

/** Names of JSON types; the Polish names are in the instrumental, as they follow "musi być". */
const typeNames: Record<string, LocalizedText> = {
  string: { en: 'text', pl: 'tekstem' },
  integer: { en: 'an integer', pl: 'liczbą całkowitą' },
  number: { en: 'a number', pl: 'liczbą' },
  boolean: { en: 'true or false', pl: 'wartością true albo false' },
  array: { en: 'an array', pl: 'tablicą' },
  object: { en: 'an object', pl: 'obiektem' },
  null: { en: 'null', pl: 'wartością null' },
  [anotherType]: anotherTypeName,
};

/** Joins names as a list of alternatives: `a, b or c`, in Polish `a, b albo c`. */
function alternatives(names: readonly string[], or: string): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} ${or} ${names.at(-1)}`;
}

/** Names the types of Ajv's `type` parameter, which lists several separated by commas. */
function typeList(types: string): LocalizedText {
  const found = [...new Set(types.split(','))].map((type) => typeNames[type] ?? same(type));
  const names = found.length === 0 ? [anotherTypeName] : found;
  const en = names.map((name) => name.en);
  const pl = names.map((name) => name.pl);
  return { en: alternatives(en, 'or'), pl: alternatives(pl, 'albo') };
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
    ? union.schema.map((branch: unknown) => String(schemaProperty(branch, 'type') ?? anotherType))
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

/** A problem in both languages, and whether it is specific enough to need no pointer to the schema. */
interface Problem {
  problem: LocalizedText;
  specific: boolean;
}

/** Builds a specific problem from its English and Polish text, each followed by the value received. */
function specific(en: string, pl: string, got: LocalizedText): Problem {
  return { problem: { en: `${en}${got.en}`, pl: `${pl}${got.pl}` }, specific: true };
}

/**
 * Says what is wrong with a value, naming the value and what is allowed. `specific` is false
 * for Ajv's own wording, which gets a pointer to the schema.
 */
function describeProblem(error: ValidationError, neuter: boolean): Problem {
  const value = received(error.data);
  const got = 'data' in error ? { en: `; got ${value.en}`, pl: `; otrzymano ${value.pl}` } : same('');
  switch (error.keyword) {
    case 'enum': {
      const allowed = allowedList(error.params.allowedValues as unknown[]);
      return specific(`must be one of ${allowed}`, `musi mieć jedną z wartości: ${allowed}`, got);
    }
    case 'const': {
      const allowed = allowedList([error.params.allowedValue]);
      return specific(`must be ${allowed}`, `musi mieć wartość ${allowed}`, got);
    }
    case 'type': {
      const types = typeList(String(error.params.type));
      return specific(`must be ${types.en}`, `musi być ${types.pl}`, got);
    }
    case 'pattern': {
      // A regular expression means little to the caller, so the schema's description states it in words.
      const description = schemaProperty(error.parentSchema, 'description');
      if (typeof description !== 'string') {
        return {
          problem: { en: `does not have the expected format${got.en}`, pl: `nie ma oczekiwanego formatu${got.pl}` },
          specific: false,
        };
      }
      // A test checks that every description has Polish text. Without it, Polish gets the general wording.
      const polish = polishPatternDescription(description);
      return specific(
        `must be ${description}`,
        polish === undefined ? 'nie ma oczekiwanego formatu' : `musi być ${polish}`,
        got,
      );
    }
    case 'required':
      return {
        problem: { en: 'is missing: add it', pl: neuter ? 'jest wymagane: dodaj je' : 'jest wymagany: dodaj go' },
        specific: true,
      };
    case 'minLength': {
      if (error.params.limit === 1) {
        return specific('must not be empty', neuter ? 'nie może być puste' : 'nie może być pusty', got);
      }
      const limit = count(error.params.limit, characters);
      return specific(`must be at least ${limit.en} long`, `musi mieć co najmniej ${limit.pl}`, got);
    }
    case 'maxLength': {
      // A value over the limit can be long, so the message names only its length.
      const length = typeof error.data === 'string' ? count(error.data.length, characters) : undefined;
      const limit = count(error.params.limit, characters);
      return specific(
        `must be at most ${limit.en} long`,
        `może mieć najwyżej ${limit.pl}`,
        length === undefined ? same('') : { en: `; got ${length.en}`, pl: `; otrzymano ${length.pl}` },
      );
    }
    case 'minimum': {
      const limit = String(error.params.limit);
      return specific(`must be at least ${limit}`, `musi wynosić co najmniej ${limit}`, got);
    }
    case 'maximum': {
      const limit = String(error.params.limit);
      return specific(`must be at most ${limit}`, `musi wynosić najwyżej ${limit}`, got);
    }
    case 'minItems': {
      const limit = count(error.params.limit, items);
      return specific(`must list at least ${limit.en}`, `musi zawierać co najmniej ${limit.pl}`, same(''));
    }
    case 'maxItems': {
      const limit = count(error.params.limit, items);
      return specific(`must list at most ${limit.en}`, `może zawierać najwyżej ${limit.pl}`, same(''));
    }
    default:
      // Ajv words its other messages in English only, so the Polish text names the schema keyword.
      return {
        problem: {
          en: error.message ?? error.keyword,
          pl: `nie spełnia warunku "${error.keyword}" schematu`,
        },
        specific: false,
      };
  }
}

/** Turns the schema validator's errors into one coded error that names the first field. */
export function translateValidation(
  validation: FastifySchemaValidationError[],
  context: string | undefined,
): WorklinkError {
  const errors = collapseUnions(validation);
  const where = contextName(context);
  const noun = polishValueNoun(context);
  const unknown = errors.filter((error) => error.keyword === 'additionalProperties');
  if (unknown.length > 0) {
    const fields = unknown.map((error) =>
      fieldName(context, error.instancePath, String(error.params.additionalProperty)),
    );
    return new WorklinkError(
      'WORKLINK_UNKNOWN_FIELD',
      {
        en: `Unknown field "${fields[0]}" in the ${where.en}: remove it; see the schema at /docs.`,
        pl: `${noun.unknown(fields[0] ?? '')}: usuń ${noun.neuter ? 'je' : 'go'}; zobacz schemat w /docs.`,
      },
      { details: fields.map((field) => ({ field })) },
    );
  }

  const problems = errors.map((error) => {
    const missing = error.keyword === 'required' ? String(error.params.missingProperty) : undefined;
    const wholeBody = context === 'body' && error.instancePath === '' && missing === undefined;
    return {
      field: fieldName(context, error.instancePath, missing),
      wholeBody,
      ...describeProblem(error, noun.neuter),
    };
  });
  const first = problems[0] ?? {
    field: context ?? 'request',
    wholeBody: false,
    problem: { en: 'is invalid', pl: 'jest nieprawidłowe' },
    specific: false,
  };
  // "Treść żądania" is feminine and "pole" neuter, so the Polish pronoun follows the subject.
  const advice = first.specific
    ? same('.')
    : {
        en: ': fix it; see the schema at /docs.',
        pl: `: popraw ${first.wholeBody ? 'ją' : noun.neuter ? 'je' : 'go'}; zobacz schemat w /docs.`,
      };
  // A body of the wrong type, such as a JSON string, is not a field of itself.
  const subject = first.wholeBody
    ? { en: 'The request body', pl: 'Treść żądania' }
    : { en: `Field "${first.field}" in the ${where.en}`, pl: noun.subject(first.field) };
  return new WorklinkError(
    'WORKLINK_VALIDATION_FAILED',
    {
      en: `${subject.en} ${first.problem.en}${advice.en}`,
      pl: `${subject.pl} ${first.problem.pl}${advice.pl}`,
    },
    {
      details: {
        en: problems.map(({ field, problem }) => ({ field, problem: problem.en })),
        pl: problems.map(({ field, problem }) => ({ field, problem: problem.pl })),
      },
    },
  );
}

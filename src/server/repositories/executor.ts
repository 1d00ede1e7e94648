import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

/** A connection or an open transaction; every repository function takes one first. */
export type Executor = Kysely<Database> | Transaction<Database>;

/** Current time as the ISO 8601 text that the schema stores. */
export function now(): string {
  return new Date().toISOString();
}

/**
 * True when `error` is a unique-constraint violation on SQLite
 * (`SQLITE_CONSTRAINT_UNIQUE` or `_PRIMARYKEY`) or PostgreSQL (SQLSTATE 23505).
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) {
    return false;
  }
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/**
 * True when `error` is a foreign-key violation on SQLite
 * (`SQLITE_CONSTRAINT_FOREIGNKEY`) or PostgreSQL (SQLSTATE 23503).
 */
export function isForeignKeyViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) {
    return false;
  }
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

/** Parses JSON text stored by the schema, returning `fallback` when it is not valid JSON. */
export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined) {
    return fallback;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

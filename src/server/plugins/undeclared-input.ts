import fp from 'fastify-plugin';
import type { preValidationHookHandler } from 'fastify';
import { WorklinkError } from '../errors.js';

/**
 * Rejects a body sent to an endpoint whose schema defines none, such as `{"force": true}` on a
 * `DELETE`: the endpoint would ignore it, while the caller would believe that it counted. An
 * empty object has no field, so it passes.
 */
const rejectBody: preValidationHookHandler = async (request) => {
  // A JSON `null` is a body too, unlike a request without one.
  const { body } = request;
  if (body === undefined) {
    return;
  }
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  const fields = isObject ? Object.keys(body) : [];
  if (isObject && fields.length === 0) {
    return;
  }
  const target = `${request.method} ${request.routeOptions.url ?? request.url}`;
  throw new WorklinkError(
    'WORKLINK_UNKNOWN_FIELD',
    {
      en: `${target} takes no request body, but this one has ${fields.length > 0 ? `the field "${fields[0]}"` : 'content'}: send the request without a body.`,
      pl: `${target} nie przyjmuje treści żądania, a to żądanie ma ${fields.length > 0 ? `pole "${fields[0]}"` : 'treść'}: wyślij je bez treści.`,
    },
    { details: fields.map((field) => ({ field })) },
  );
};

/** Rejects query parameters sent to an API endpoint whose schema defines none, such as `?limit=10` on the audit list. */
const rejectQuery: preValidationHookHandler = async (request) => {
  const parameters = Object.keys(request.query as Record<string, unknown>);
  const first = parameters[0];
  if (first === undefined) {
    return;
  }
  const target = `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;
  throw new WorklinkError(
    'WORKLINK_UNKNOWN_FIELD',
    {
      en: `Unknown query parameter "${first}": ${target} takes no query parameters, so remove it.`,
      pl: `Nieznany parametr "${first}" w zapytaniu: ${target} nie przyjmuje parametrów zapytania, więc usuń go.`,
    },
    { details: parameters.map((field) => ({ field })) },
  );
};

/**
 * Adds `rejectBody` to every route registered after it without a body schema, and `rejectQuery` to
 * every API route without a query-string schema. Routes outside /api, such as the add-in files,
 * keep their query strings, which browsers add to bust caches.
 */
export const undeclaredInputPlugin = fp(
  async (app) => {
    app.addHook('onRoute', (route) => {
      const added: preValidationHookHandler[] = [];
      if (route.schema?.body === undefined) {
        added.push(rejectBody);
      }
      if (route.schema?.querystring === undefined && route.url.startsWith('/api/')) {
        added.push(rejectQuery);
      }
      if (added.length === 0) {
        return;
      }
      const existing = route.preValidation ?? [];
      route.preValidation = [...(Array.isArray(existing) ? existing : [existing]), ...added];
    });
  },
  { name: 'worklink-undeclared-input' },
);

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

/** Adds `rejectBody` to every route that is registered after it without a body schema. */
export const bodilessRoutesPlugin = fp(
  async (app) => {
    app.addHook('onRoute', (route) => {
      if (route.schema?.body !== undefined) {
        return;
      }
      const existing = route.preValidation ?? [];
      route.preValidation = [...(Array.isArray(existing) ? existing : [existing]), rejectBody];
    });
  },
  { name: 'worklink-bodiless-routes' },
);

import fp from 'fastify-plugin';
import type { FastifyError, FastifySchemaValidationError } from 'fastify';
import { WorklinkError, errorCatalog } from '../errors.js';

/** Largest accepted request body; JSON requests of the API are far smaller. */
export const bodyLimitBytes = 1024 * 1024;

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

/** Turns the schema validator's errors into one coded error that names the first field. */
export function translateValidation(
  errors: FastifySchemaValidationError[],
  context: string | undefined,
): WorklinkError {
  const unknown = errors.filter((error) => error.keyword === 'additionalProperties');
  if (unknown.length > 0) {
    const fields = unknown.map((error) =>
      fieldName(context, error.instancePath, String(error.params.additionalProperty)),
    );
    return new WorklinkError(
      'WORKLINK_UNKNOWN_FIELD',
      `Unknown field "${fields[0]}" in the ${context ?? 'request'}: remove it; see the schema at /docs.`,
      { details: fields.map((field) => ({ field })) },
    );
  }

  const details = errors.map((error) => {
    const missing = error.keyword === 'required' ? String(error.params.missingProperty) : undefined;
    return { field: fieldName(context, error.instancePath, missing), problem: error.message ?? error.keyword };
  });
  const first = details[0] ?? { field: context ?? 'request', problem: 'is invalid' };
  return new WorklinkError(
    'WORKLINK_VALIDATION_FAILED',
    `Field "${first.field}" in the ${context ?? 'request'} ${first.problem}: fix it; see the schema at /docs.`,
    { details },
  );
}

/** Maps Fastify's own errors to Worklink codes, or returns undefined for errors it does not map. */
function translateFastifyError(error: FastifyError): WorklinkError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new WorklinkError('WORKLINK_MALFORMED_JSON', `The request body is not valid JSON: ${error.message}`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new WorklinkError(
        'WORKLINK_UNSUPPORTED_MEDIA_TYPE',
        'The request body must be JSON: send it with "Content-Type: application/json".',
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new WorklinkError(
        'WORKLINK_BODY_TOO_LARGE',
        `The request body is larger than ${bodyLimitBytes} bytes: send a smaller body.`,
      );
    default:
      break;
  }
  // Fastify reports a JSON syntax error from its parser as a 400 SyntaxError.
  if (error instanceof SyntaxError && error.statusCode === 400) {
    return new WorklinkError('WORKLINK_MALFORMED_JSON', `The request body is not valid JSON: ${error.message}`);
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new WorklinkError('WORKLINK_VALIDATION_FAILED', `The request is invalid: ${error.message}`);
  }
  return undefined;
}

/**
 * Sends every error as `{ code, message, details? }`. 5xx bodies get a
 * generic message; the log keeps the error, without request bodies.
 */
export const errorHandlerPlugin = fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError | WorklinkError, request, reply) => {
      let coded: WorklinkError | undefined;
      if (error instanceof WorklinkError) {
        coded = error;
      } else if (Array.isArray(error.validation)) {
        coded = translateValidation(error.validation, error.validationContext);
      } else {
        coded = translateFastifyError(error);
      }

      if (coded === undefined || coded.statusCode >= 500) {
        request.log.error({ err: error, code: coded?.code ?? 'WORKLINK_INTERNAL' }, 'request failed');
        // The catalog's description is the generic text; the specific message may name internals.
        const code = coded?.code ?? 'WORKLINK_INTERNAL';
        return reply.status(errorCatalog[code].status).send({ code, message: errorCatalog[code].description });
      }

      request.log.info({ code: coded.code, status: coded.statusCode }, 'request rejected');
      const body: { code: string; message: string; details?: unknown[] } = {
        code: coded.code,
        message: coded.message,
      };
      if (coded.details !== undefined) {
        body.details = coded.details;
      }
      return reply.status(coded.statusCode).send(body);
    });

    app.setNotFoundHandler((request, reply) => {
      reply.status(404).send({
        code: 'WORKLINK_ROUTE_NOT_FOUND',
        message: `No endpoint for ${request.method} ${request.url.split('?')[0]}: see the API at /docs.`,
      });
    });
  },
  { name: 'worklink-error-handler' },
);

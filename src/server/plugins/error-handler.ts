import fp from 'fastify-plugin';
import type { FastifyError, FastifyRequest } from 'fastify';
import { WorklinkError, errorCatalog } from '../errors.js';
import { translateValidation } from './validation-messages.js';

/** Largest accepted request body; JSON requests of the API are far smaller. */
export const bodyLimitBytes = 1024 * 1024;

/**
 * Maps an error by its 4xx status, for errors of Fastify and its plugins that carry no
 * code of their own, such as @fastify/static refusing a folder with 403.
 */
function translateStatus(error: FastifyError, request: FastifyRequest): WorklinkError | undefined {
  const target = `${request.method} ${request.url.split('?')[0]}`;
  switch (error.statusCode) {
    case 403:
      return new WorklinkError(
        'WORKLINK_FORBIDDEN',
        `The server does not serve ${target} (${error.message}): request a file of the add-in or an endpoint listed at /docs.`,
      );
    case 404:
      return new WorklinkError('WORKLINK_ROUTE_NOT_FOUND', `No endpoint or file for ${target}: see the API at /docs.`);
    case 413:
      return new WorklinkError(
        'WORKLINK_BODY_TOO_LARGE',
        `The request body is larger than ${bodyLimitBytes} bytes: send a smaller body.`,
      );
    case 415:
      return new WorklinkError(
        'WORKLINK_UNSUPPORTED_MEDIA_TYPE',
        'The request body must be JSON: send it with "Content-Type: application/json".',
      );
    case 429:
      return new WorklinkError('WORKLINK_RATE_LIMITED', `Too many requests (${error.message}): retry later.`);
    default:
      break;
  }
  // NOTE: other 4xx statuses have no code yet and become 400, such as 416 from @fastify/static
  // for a range past the end of a file.
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new WorklinkError('WORKLINK_VALIDATION_FAILED', `The request is invalid: ${error.message}`);
  }
  return undefined;
}

function malformedJson(detail: string): WorklinkError {
  return new WorklinkError(
    'WORKLINK_MALFORMED_JSON',
    `The request body is not valid JSON (${detail}): check its quotes, commas and brackets, or build it with a JSON encoder.`,
  );
}

/** Maps Fastify's own errors to Worklink codes, or returns undefined for errors it does not map. */
function translateFastifyError(error: FastifyError, request: FastifyRequest): WorklinkError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new WorklinkError(
        'WORKLINK_MALFORMED_JSON',
        'The request body is empty, but its Content-Type is application/json: send a JSON body, or leave out the Content-Type header.',
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return malformedJson(error.message);
    default:
      break;
  }
  // Fastify reports a JSON syntax error from its parser as a 400 SyntaxError.
  if (error instanceof SyntaxError && error.statusCode === 400) {
    return malformedJson(error.message);
  }
  return translateStatus(error, request);
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
        coded = translateFastifyError(error, request);
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

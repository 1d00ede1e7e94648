import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { negotiateLanguage } from '../../core/language.js';
import type { Language } from '../../core/language.js';
import { WorklinkError, errorCatalog } from '../errors.js';
import { translateValidation } from './validation-messages.js';

/** Picks the language of an error body from `Accept-Language`, and sets `Content-Language` and `Vary` on the reply. */
function replyLanguage(request: FastifyRequest, reply: FastifyReply): Language {
  const language = negotiateLanguage(request.headers['accept-language']);
  // Keeps what other plugins vary on, such as @fastify/cors's Origin.
  const vary = reply.getHeader('vary');
  reply.header('Content-Language', language);
  reply.header('Vary', vary === undefined || vary === '' ? 'Accept-Language' : `${String(vary)}, Accept-Language`);
  return language;
}

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
      return new WorklinkError('WORKLINK_FORBIDDEN', {
        en: `The server does not serve ${target}: request a file of the add-in or an endpoint listed at /docs.`,
        pl: `Serwer nie udostępnia ${target}: poproś o plik dodatku albo o punkt końcowy wymieniony w /docs.`,
      });
    case 404:
      return routeNotFound(target);
    case 413:
      return new WorklinkError('WORKLINK_BODY_TOO_LARGE', {
        en: `The request body is larger than ${bodyLimitBytes} bytes: send a smaller body.`,
        pl: `Treść żądania ma więcej niż ${bodyLimitBytes} bajtów: wyślij mniejszą.`,
      });
    case 415:
      return new WorklinkError('WORKLINK_UNSUPPORTED_MEDIA_TYPE', {
        en: 'The request body must be JSON: send it with "Content-Type: application/json".',
        pl: 'Treść żądania musi być w formacie JSON: wyślij ją z nagłówkiem "Content-Type: application/json".',
      });
    case 429:
      return new WorklinkError('WORKLINK_RATE_LIMITED', {
        en: `Too many requests (${error.message}): retry later.`,
        pl: `Za dużo żądań (${error.message}): spróbuj ponownie później.`,
      });
    default:
      break;
  }
  // NOTE: other 4xx statuses have no code yet and become 400, such as 416 from @fastify/static
  // for a range past the end of a file.
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new WorklinkError('WORKLINK_VALIDATION_FAILED', {
      en: `The request is invalid: ${error.message}`,
      pl: `Żądanie jest nieprawidłowe: ${error.message}`,
    });
  }
  return undefined;
}

function routeNotFound(target: string): WorklinkError {
  return new WorklinkError('WORKLINK_ROUTE_NOT_FOUND', {
    en: `No endpoint or file for ${target}: see the API at /docs.`,
    pl: `Nie ma punktu końcowego ani pliku dla ${target}: opis API jest w /docs.`,
  });
}

/** Turns a route's path, such as `/api/v1/admin/teams/:id`, into a pattern that matches request paths. */
function pathPattern(url: string): RegExp {
  const segments = url
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${segments.join('/')}/?$`);
}

function methodNotAllowed(method: string, path: string, allowed: string[]): WorklinkError {
  return new WorklinkError('WORKLINK_METHOD_NOT_ALLOWED', {
    en: `${path} does not take ${method}: use ${allowed.join(', ')}; see the API at /docs.`,
    pl: `${path} nie obsługuje metody ${method}: użyj ${allowed.join(', ')}; opis API jest w /docs.`,
  });
}

/** Builds the error for a body that is not JSON, with the parser's English `detail` when it adds something. */
function malformedJson(detail?: string): WorklinkError {
  const en = detail === undefined ? '' : ` (${detail})`;
  const pl = detail === undefined ? '' : ` (parser JSON: ${detail})`;
  return new WorklinkError('WORKLINK_MALFORMED_JSON', {
    en: `The request body is not valid JSON${en}: check its quotes, commas and brackets, or build it with a JSON library.`,
    pl: `Treść żądania nie jest poprawnym JSON-em${pl}: sprawdź cudzysłowy, przecinki i nawiasy albo zbuduj ją za pomocą biblioteki JSON.`,
  });
}

/** Maps Fastify's own errors to Worklink codes, or returns undefined for errors it does not map. */
function translateFastifyError(error: FastifyError, request: FastifyRequest): WorklinkError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new WorklinkError('WORKLINK_MALFORMED_JSON', {
        en: 'The request body is empty, but its Content-Type is application/json: send a JSON body, or leave out the Content-Type header.',
        pl: 'Treść żądania jest pusta, a nagłówek Content-Type ma wartość application/json: wyślij treść w formacie JSON albo pomiń nagłówek Content-Type.',
      });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      // Its message only repeats that the body is not JSON.
      return malformedJson();
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
 * Sends every error as `{ code, message, details? }`, in the language that the request's
 * `Accept-Language` prefers (English or Polish). 5xx bodies get a generic message; the log
 * keeps the error, in English and without request bodies.
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

      const language = replyLanguage(request, reply);
      if (coded === undefined || coded.statusCode >= 500) {
        request.log.error({ err: error, code: coded?.code ?? 'WORKLINK_INTERNAL' }, 'request failed');
        // The catalog's description is the generic text; the specific message may name internals.
        const code = coded?.code ?? 'WORKLINK_INTERNAL';
        const { status, description } = errorCatalog[code];
        return reply.status(status).send({ code, message: description[language] });
      }

      request.log.info({ code: coded.code, status: coded.statusCode }, 'request rejected');
      const body: { code: string; message: string; details?: unknown[] } = {
        code: coded.code,
        message: coded.text[language],
      };
      const details = coded.detailsIn(language);
      if (details !== undefined) {
        body.details = details;
      }
      return reply.status(coded.statusCode).send(body);
    });

    // Routes with a fixed path, so that a known path with another method gets 405. The add-in files are served
    // by a wildcard route for GET, which would make every unknown path look known.
    const fixedRoutes: { methods: string[]; path: RegExp }[] = [];
    app.addHook('onRoute', (route) => {
      if (!route.url.includes('*')) {
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        fixedRoutes.push({ methods, path: pathPattern(route.url) });
      }
    });

    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      const language = replyLanguage(request, reply);
      const allowed = [
        ...new Set(fixedRoutes.filter((route) => route.path.test(path)).flatMap((route) => route.methods)),
      ].sort();
      let error = routeNotFound(`${request.method} ${path}`);
      if (allowed.length > 0) {
        error = methodNotAllowed(request.method, path, allowed);
        reply.header('Allow', allowed.join(', '));
      }
      reply.status(error.statusCode).send({ code: error.code, message: error.text[language] });
    });
  },
  { name: 'worklink-error-handler' },
);

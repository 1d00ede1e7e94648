import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DevSignInError, normaliseEmail, requestDevToken } from '../../src/addin/taskpane/dev-sign-in.js';
import { isDarkOfficeTheme } from '../../src/addin/taskpane/office-theme.js';

interface RecordedRequest {
  method: string | undefined;
  url: string | undefined;
  contentType: string | undefined;
  body: string;
}

type Reply = (request: RecordedRequest, response: ServerResponse) => void;

/** A stand-in for the Worklink server on 127.0.0.1 that records requests and responds with `reply`. */
let server: Server;
let origin: string;
let requests: RecordedRequest[];
let reply: Reply;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function captureError(promise: Promise<unknown>): Promise<DevSignInError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(DevSignInError);
  return error as DevSignInError;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const recorded = {
        method: request.method,
        url: request.url,
        contentType: request.headers['content-type'],
        body,
      };
      requests.push(recorded);
      reply(recorded, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests = [];
  reply = (_request, response) => sendJson(response, 200, { accessToken: 'token-1' });
});

describe('requestDevToken', () => {
  it('posts the trimmed email and returns the token', async () => {
    const token = await requestDevToken('  uk.agent@contoso.example ', origin);

    expect(token).toBe('token-1');
    expect(requests).toHaveLength(1);
    expect(requests[0]?.method).toBe('POST');
    expect(requests[0]?.url).toBe('/api/v1/dev/tokens');
    expect(requests[0]?.contentType).toBe('application/json');
    expect(JSON.parse(requests[0]?.body ?? '')).toEqual({ email: 'uk.agent@contoso.example' });
  });

  it('rejects a malformed email without a request', async () => {
    const error = await captureError(requestDevToken('uk.agent', origin));

    expect(error.code).toBe('WORKLINK_SIGN_IN_EMAIL_INVALID');
    expect(error.message).toContain('"uk.agent" is not an email address');
    expect(requests).toHaveLength(0);
  });

  it('reports the server error code on rejection', async () => {
    reply = (_request, response) =>
      sendJson(response, 403, {
        code: 'WORKLINK_AGENT_NOT_REGISTERED',
        message: 'nobody@contoso.example is not an agent',
      });

    const error = await captureError(requestDevToken('nobody@contoso.example', origin));

    expect(error.code).toBe('WORKLINK_SIGN_IN_REJECTED');
    expect(error.apiCode).toBe('WORKLINK_AGENT_NOT_REGISTERED');
    expect(error.message).toContain('returned 403 (WORKLINK_AGENT_NOT_REGISTERED');
  });

  it('reports a rejection without an error body', async () => {
    reply = (_request, response) => {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('Not Found');
    };

    const error = await captureError(requestDevToken('uk.agent@contoso.example', origin));

    expect(error.code).toBe('WORKLINK_SIGN_IN_REJECTED');
    expect(error.apiCode).toBeUndefined();
    expect(error.message).toContain('returned 404 (no code: no error body)');
  });

  it.each([
    ['an empty object', {}],
    ['an empty token', { accessToken: '' }],
    ['a numeric token', { accessToken: 42 }],
  ])('rejects a success with %s', async (_name, body) => {
    reply = (_request, response) => sendJson(response, 200, body);

    const error = await captureError(requestDevToken('uk.agent@contoso.example', origin));

    expect(error.code).toBe('WORKLINK_SIGN_IN_INVALID_RESPONSE');
  });

  it('reports an unreachable server', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedOrigin = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const error = await captureError(requestDevToken('uk.agent@contoso.example', closedOrigin));

    expect(error.code).toBe('WORKLINK_SIGN_IN_UNREACHABLE');
    expect(error.message).toContain(`check that the Worklink server runs at ${closedOrigin}`);
  });
});

describe('normaliseEmail', () => {
  it.each(['', ' ', 'a@b', 'a b@contoso.example', '@contoso.example'])('rejects "%s"', (input) => {
    expect(() => normaliseEmail(input)).toThrow(DevSignInError);
  });
});

describe('isDarkOfficeTheme', () => {
  it.each([
    ['#FFFFFF', false],
    ['#f3f2f1', false],
    ['#1F1F1F', true],
    ['#000000', true],
    ['262626', true],
    ['#777777', false],
    ['#555555', true],
    ['not a colour', false],
  ])('classifies %s as dark: %s', (bodyBackgroundColor, dark) => {
    expect(isDarkOfficeTheme({ bodyBackgroundColor })).toBe(dark);
  });

  it('treats a missing theme as light', () => {
    expect(isDarkOfficeTheme(undefined)).toBe(false);
  });
});

/** A client for `GET /api/v1/events` in tests: opens the stream over HTTP and parses what arrives. */
import http from 'node:http';

/** A server-sent-events response read as text as it arrives. */
export interface OpenStream {
  status: number;
  contentType: string | undefined;
  /** Everything received so far. */
  text(): string;
  /** Resolves once the server has ended the response. */
  ended: Promise<void>;
  destroy(): void;
}

/** Opens `path` on `origin` as a server-sent-events request; resolves once the response headers arrived. */
export function openStream(origin: string, path: string, headers: Record<string, string> = {}): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${origin}${path}`, { headers: { accept: 'text/event-stream', ...headers } });
    request.on('error', reject);
    request.on('response', (response) => {
      let received = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        received += chunk;
      });
      const ended = new Promise<void>((done) => {
        response.on('end', () => done());
        response.on('close', () => done());
      });
      resolve({
        status: response.statusCode ?? 0,
        contentType: response.headers['content-type'],
        text: () => received,
        ended,
        destroy: () => request.destroy(),
      });
    });
  });
}

/** Parses `event:` and `data:` blocks; comments and `retry:` lines are skipped. */
export function parseEvents(text: string): Array<{ event: string; data: unknown }> {
  const events: Array<{ event: string; data: unknown }> = [];
  for (const block of text.split('\n\n')) {
    const event = /^event: (.+)$/m.exec(block)?.[1];
    const data = /^data: (.+)$/m.exec(block)?.[1];
    if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) as unknown });
  }
  return events;
}

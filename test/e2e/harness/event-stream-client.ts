/**
 * Reads `GET /api/v1/events` as an agent's task pane does, over HTTPS on loopback, trusting
 * only the test server's own certificate.
 */
import https from 'node:https';
import type { E2eServer } from './e2e-server.js';

export interface ReceivedEvent {
  event: string;
  data: unknown;
}

export interface EventStreamClient {
  events: ReceivedEvent[];
  close(): void;
}

/** Opens the stream with `token` and resolves once the server has sent its first comment. */
export function openEventStream(server: E2eServer, token: string): Promise<EventStreamClient> {
  const [host, port] = server.address.split(':') as [string, string];
  const events: ReceivedEvent[] = [];

  return new Promise((resolve, reject) => {
    const request = https.get(
      {
        host,
        port: Number(port),
        path: '/api/v1/events',
        servername: 'localhost',
        ca: server.certificate,
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      },
      (response) => {
        if (response.statusCode !== 200) {
          reject(new Error(`GET /api/v1/events returned ${response.statusCode}`));
          response.resume();
          return;
        }
        response.setEncoding('utf8');
        let buffer = '';
        let opened = false;
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) as unknown });
            end = buffer.indexOf('\n\n');
          }
          if (!opened) {
            opened = true;
            resolve({ events, close: () => request.destroy() });
          }
        });
      },
    );
    request.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
  });
}

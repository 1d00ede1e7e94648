/** A typed wrapper around autocannon's programmatic API, which ships no TypeScript types. */
import { createRequire } from 'node:module';

interface Histogram {
  average: number;
  p50: number;
  p99: number;
  total: number;
}

interface AutocannonResult {
  requests: Histogram;
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}

interface AutocannonOptions {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  duration: number;
  maxOverallRequests: number;
  overallRate?: number;
}

type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** Requests of one load run; every run is bounded by its duration and by this count. */
const maxRequestsPerRun = 500_000;

export interface LoadRun {
  /** Completed requests per second over the whole run. */
  requestsPerSecond: number;
  requests: number;
  /** Latency percentiles in milliseconds. */
  p50Ms: number;
  p99Ms: number;
  seconds: number;
}

/**
 * Sends requests to a loopback URL for `seconds` and returns the completed rate. Throws when
 * any request failed or returned a status other than 2xx, because a rate of errors measures nothing.
 */
export async function runLoad(options: {
  url: string;
  method: 'GET' | 'POST';
  token: string;
  body?: unknown;
  connections: number;
  seconds: number;
  overallRate?: number;
}): Promise<LoadRun> {
  const url = new URL(options.url);
  if (url.hostname !== '127.0.0.1') {
    throw new Error(`Load runs target 127.0.0.1 only, but the URL is ${options.url}: start the server on 127.0.0.1.`);
  }
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
  const request: AutocannonOptions = {
    url: options.url,
    method: options.method,
    headers,
    connections: options.connections,
    duration: options.seconds,
    maxOverallRequests: maxRequestsPerRun,
  };
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    request.body = JSON.stringify(options.body);
  }
  if (options.overallRate !== undefined) {
    request.overallRate = options.overallRate;
  }

  const result = await autocannon(request);
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(
      `${options.method} ${url.pathname} had ${result.errors} connection errors and ${result.non2xx} non-2xx ` +
        `responses (status counts ${JSON.stringify(result.statusCodeStats)}); fix the server before measuring it.`,
    );
  }
  return {
    requestsPerSecond: result.requests.total / result.duration,
    requests: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    seconds: result.duration,
  };
}

/**
 * Counts the network requests of each send-handler run in the Outlook host simulator, as the
 * browser reports them for the page, rather than through the shim's `fetch` wrapper. A request
 * belongs to run N when it comes from the launch-event frame named
 * `worklink-launch-event-N`, from a frame inside it, or from a dedicated worker that such a
 * frame started (Playwright reports a worker's requests with its frame). Requests of the
 * simulator's own page and of the task pane are not counted.
 */
import type { CDPSession, Frame, Page, Request } from 'playwright-core';
import { LAUNCH_FRAME_NAME_PREFIX } from '../src/dev/host/launch-runtime.js';

export interface HandlerRequestCounter {
  /** Requests of run `run` so far, as `METHOD path?query`, in the order the browser reported them. */
  requestsOf(run: number): string[];
  /** Stops counting and closes the DevTools session. */
  stop(): Promise<void>;
}

/** Resource types of the files that load the runtime: the page and the scripts and styles it lists. */
const runtimeLoadTypes = new Set(['document', 'script', 'stylesheet']);

/** Returns the run number of a launch-event frame's name or URL, or null for any other frame. */
export function launchRunOf(name: string, url: string): number | null {
  if (name.startsWith(LAUNCH_FRAME_NAME_PREFIX)) {
    const run = Number(name.slice(LAUNCH_FRAME_NAME_PREFIX.length));
    return Number.isInteger(run) ? run : null;
  }
  // Before its first navigation commits, Playwright may not know the frame's name yet.
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const run = Number(parsed.searchParams.get('run'));
  return parsed.pathname.includes('launchevent') && Number.isInteger(run) && run > 0 ? run : null;
}

function runOfFrame(frame: Frame | null): number | null {
  for (let current = frame; current !== null; current = current.parentFrame()) {
    const run = launchRunOf(current.name(), current.url());
    if (run !== null) return run;
  }
  return null;
}

function frameOf(request: Request): Frame | null {
  try {
    return request.frame();
  } catch {
    // Service worker requests have no frame; the simulator's add-in registers no service worker.
    return null;
  }
}

function describe(method: string, url: string): string {
  const parsed = new URL(url);
  return `${method} ${parsed.pathname}${parsed.search}`;
}

/**
 * Starts counting on `page`. `runtimeFiles` are the absolute URLs, without query, that load the
 * launch-event runtime: its page and the scripts the page lists. A request for one of them
 * as a page, script or style is the runtime starting, so it is not counted. The same URL
 * requested with `fetch` or as any other type is counted.
 *
 * With request interception on, as `guardContext` turns it on, Playwright handles CORS
 * preflights itself and reports no request event for them, so preflights are counted from
 * the DevTools Network domain of the page's own session, in the run of the request that
 * caused them.
 * NOTE: a preflight sent from a worker is not seen there, and WebSocket connections, which
 * Playwright reports apart from requests, are not counted.
 */
export async function countHandlerRequests(page: Page, runtimeFiles: string[]): Promise<HandlerRequestCounter> {
  const byRun = new Map<number, string[]>();
  const record = (run: number, line: string): void => {
    const list = byRun.get(run) ?? [];
    list.push(line);
    byRun.set(run, list);
  };
  const runtime = new Set(runtimeFiles);

  const onRequest = (request: Request): void => {
    const run = runOfFrame(frameOf(request));
    if (run === null) return;
    const headers = request.headers();
    if (request.method() === 'OPTIONS' && headers['access-control-request-method'] !== undefined) return;
    const url = new URL(request.url());
    const withoutQuery = `${url.origin}${url.pathname}`;
    if (runtimeLoadTypes.has(request.resourceType()) && runtime.has(withoutQuery)) return;
    record(run, describe(request.method(), request.url()));
  };
  page.on('request', onRequest);

  // Frame tree of the page as the DevTools session reports it, to place each preflight.
  const frames = new Map<string, { parentId?: string; name: string; url: string }>();
  const session: CDPSession = await page.context().newCDPSession(page);
  session.on('Page.frameNavigated', ({ frame }) => {
    frames.set(frame.id, { parentId: frame.parentId, name: frame.name ?? '', url: frame.url });
  });
  session.on('Page.frameAttached', ({ frameId, parentFrameId }) => {
    if (!frames.has(frameId)) frames.set(frameId, { parentId: parentFrameId, name: '', url: '' });
  });
  const runOfFrameId = (frameId: string | undefined): number | null => {
    for (let id = frameId; id !== undefined; id = frames.get(id)?.parentId) {
      const frame = frames.get(id);
      if (frame === undefined) return null;
      const run = launchRunOf(frame.name, frame.url);
      if (run !== null) return run;
    }
    return null;
  };
  // Chromium reports a preflight without a frame and before the request that caused it. It names
  // that request in `initiator.requestId`, so the preflight is placed once that request is seen.
  const frameOfRequest = new Map<string, string | undefined>();
  const waitingPreflights = new Map<string, string[]>();
  session.on('Network.requestWillBeSent', (event) => {
    const line = describe(event.request.method, event.request.url);
    if (event.type === 'Preflight' || event.initiator.type === 'preflight') {
      const cause = event.initiator.requestId;
      if (cause === undefined) return;
      if (frameOfRequest.has(cause)) {
        const run = runOfFrameId(frameOfRequest.get(cause));
        if (run !== null) record(run, line);
        return;
      }
      waitingPreflights.set(cause, [...(waitingPreflights.get(cause) ?? []), line]);
      return;
    }
    frameOfRequest.set(event.requestId, event.frameId);
    const waiting = waitingPreflights.get(event.requestId);
    if (waiting === undefined) return;
    waitingPreflights.delete(event.requestId);
    const run = runOfFrameId(event.frameId);
    if (run !== null) for (const preflight of waiting) record(run, preflight);
  });
  await session.send('Page.enable');
  await session.send('Network.enable');
  const tree = await session.send('Page.getFrameTree');
  const visit = (node: typeof tree.frameTree): void => {
    frames.set(node.frame.id, { parentId: node.frame.parentId, name: node.frame.name ?? '', url: node.frame.url });
    for (const child of node.childFrames ?? []) visit(child);
  };
  visit(tree.frameTree);

  return {
    requestsOf: (run) => [...(byRun.get(run) ?? [])],
    async stop() {
      page.off('request', onRequest);
      await session.detach().catch(() => undefined);
    },
  };
}

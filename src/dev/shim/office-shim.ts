/**
 * The simulator's stand-in for Office.js, loaded in place of Microsoft's script in each add-in
 * frame (`/dev/outlook/taskpane.html`, `/dev/outlook/launchevent.html`). It builds `Office`
 * and `OfficeRuntime` in the frame's own realm and forwards every item operation to the host
 * page. It also wraps `fetch` and `XMLHttpRequest`, so that the host counts each request
 * the send handler makes and can simulate a backend that is down.
 * NOTE: `EventSource` streams are not counted and keep working while the backend is "down".
 */
import { BRIDGE_GLOBAL } from '../bridge.js';
import type { BridgeResult, FrameContext, FrameRole, SimulatorBridge } from '../bridge.js';
import { createEnums } from './office-enums.js';
import { createItem } from './item.js';
import type { Invoke } from './item.js';

function findBridge(): SimulatorBridge {
  const parentWindow = window.parent as unknown as Record<string, SimulatorBridge | undefined>;
  const bridge = window.parent === window ? undefined : parentWindow[BRIDGE_GLOBAL];
  if (!bridge) {
    throw new Error(
      'WORKLINK_SIMULATOR_NO_HOST: this page runs the add-in inside the Outlook host simulator; open /dev/outlook instead.',
    );
  }
  return bridge;
}

const bridge = findBridge();
const role: FrameRole = location.pathname.indexOf('launchevent') >= 0 ? 'launchevent' : 'taskpane';
const context = JSON.parse(bridge.context(role)) as FrameContext;

/** Forwards the frame's console to the host's log, which replaces Outlook's runtime log here. */
function mirrorConsole(): void {
  for (const level of ['log', 'info', 'warn', 'error'] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      original(...args);
      const text = args.map(describeArgument).join(' ');
      bridge.log(role, level, text);
    };
  }
}

function describeArgument(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.message;
  return safeJson(value);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * Wraps `fetch`: the host counts every request, and while its "backend down" switch is on, a
 * request fails as a browser fails one to an unreachable server.
 */
function wrapFetch(): void {
  const originalFetch = window.fetch.bind(window);
  window.fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    let url: string;
    if (typeof input === 'string') url = input;
    else if (input instanceof URL) url = input.href;
    else url = input.url;
    const method = (init && init.method) || (typeof input === 'object' && 'method' in input ? input.method : 'GET');
    const reachable = bridge.recordRequest(role, method.toUpperCase(), url);
    if (!reachable) return Promise.reject(new TypeError('Failed to fetch'));
    return originalFetch(input, init);
  };
}

/**
 * Counts `XMLHttpRequest` too, which some libraries use instead of `fetch`. While the backend
 * is down, `send` fails the request with the `error` event a browser fires for an unreachable
 * server.
 */
function wrapXmlHttpRequest(): void {
  const prototype = XMLHttpRequest.prototype;
  const originalOpen = prototype.open;
  const originalSend = prototype.send;
  const unreachable = new WeakSet<XMLHttpRequest>();

  prototype.open = function open(this: XMLHttpRequest, method: string, url: string | URL, ...rest: unknown[]) {
    const reachable = bridge.recordRequest(role, method.toUpperCase(), String(url));
    if (!reachable) unreachable.add(this);
    return (originalOpen as (...args: unknown[]) => void).call(this, method, url, ...rest);
  } as typeof prototype.open;

  prototype.send = function send(this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
    if (unreachable.has(this)) {
      setTimeout(() => this.dispatchEvent(new ProgressEvent('error')), 0);
      return;
    }
    originalSend.call(this, body);
  };
}

const invoke: Invoke = (operation, args) =>
  new Promise<BridgeResult>((resolve) => {
    bridge.call(role, operation, JSON.stringify(args), (resultJson) => resolve(JSON.parse(resultJson) as BridgeResult));
  });

mirrorConsole();
wrapFetch();
wrapXmlHttpRequest();

const enums = createEnums();
const item = context.item ? createItem(context.item, invoke, bridge, role) : null;

const mailbox = {
  item,
  userProfile: {
    emailAddress: context.userProfile.emailAddress,
    displayName: context.userProfile.displayName,
    timeZone: context.userProfile.timeZone,
    accountType: 'enterprise',
  },
  diagnostics: { hostName: 'OutlookWebApp', hostVersion: 'simulator', OWAView: 'TwoColumns' },
  addHandlerAsync(eventType: string, handler: (event: unknown) => void, ...rest: unknown[]): void {
    bridge.addHandler(role, eventType, (eventJson) => handler(JSON.parse(eventJson)));
    const callback = rest.filter((arg) => typeof arg === 'function').pop() as ((result: unknown) => void) | undefined;
    if (callback) setTimeout(() => callback({ status: 'succeeded', value: undefined }), 0);
  },
};

const requirements = {
  isSetSupported(name: string, version?: string): boolean {
    if (name.toLowerCase() !== 'mailbox') return false;
    return compareVersions(version || '1.1', context.mailboxVersion) <= 0;
  },
};

function compareVersions(left: string, right: string): number {
  const a = left.split('.').map(Number);
  const b = right.split('.').map(Number);
  for (let index = 0; index < Math.max(a.length, b.length); index += 1) {
    const difference = (a[index] || 0) - (b[index] || 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

const info = { host: 'Outlook', platform: 'OfficeOnline' };

const office = {
  ...enums,
  context: {
    mailbox,
    displayLanguage: context.displayLanguage,
    contentLanguage: context.displayLanguage,
    officeTheme: context.officeTheme,
    requirements,
    platform: 'OfficeOnline',
    diagnostics: { host: 'Outlook', platform: 'OfficeOnline', version: 'simulator' },
  },
  onReady(callback?: (value: typeof info) => void): Promise<typeof info> {
    return new Promise((resolve) => {
      setTimeout(() => {
        if (callback) callback(info);
        resolve(info);
      }, 0);
    });
  },
  actions: {
    associate(name: string, handler: (event: unknown) => void): void {
      bridge.associate(role, name, handler);
    },
  },
};

const officeRuntime = {
  storage: {
    getItem: (key: string) => Promise.resolve(bridge.storageGet(key)),
    setItem: (key: string, value: string) => Promise.resolve(bridge.storageSet(key, String(value))),
    removeItem: (key: string) => Promise.resolve(bridge.storageRemove(key)),
    getItems: (keys: string[]) =>
      Promise.resolve(Object.fromEntries(keys.map((key) => [key, bridge.storageGet(key)] as const))),
    setItems: (values: Record<string, string>) =>
      Promise.resolve(Object.keys(values).forEach((key) => bridge.storageSet(key, String(values[key])))),
    removeItems: (keys: string[]) => Promise.resolve(keys.forEach((key) => bridge.storageRemove(key))),
    getKeys: () => Promise.resolve(bridge.storageKeys()),
  },
};

Object.assign(window, { Office: office, OfficeRuntime: officeRuntime });

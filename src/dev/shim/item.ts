/**
 * `Office.context.mailbox.item` for the shim: compose or read mode. Each async method takes
 * Office's optional `options` object (with `asyncContext`) and a callback as its last
 * argument, sends its data arguments to the host, and calls the callback with an
 * `Office.AsyncResult` built in this frame.
 */
import type { BridgeResult, ComposeItemSnapshot, FrameRole, ReadItemSnapshot, SimulatorBridge } from '../bridge.js';

export type Invoke = (operation: string, args: unknown[]) => Promise<BridgeResult>;

type AsyncMethod = (...args: unknown[]) => void;

/** Builds an Office async method whose first `dataArgs` arguments go to the host. */
function asyncMethod(invoke: Invoke, operation: string, dataArgs: number): AsyncMethod {
  return (...args: unknown[]) => {
    const data = args.slice(0, dataArgs);
    const rest = args.slice(dataArgs);
    const callback = rest.filter((arg) => typeof arg === 'function').pop() as ((result: unknown) => void) | undefined;
    const options = rest.find((arg) => arg !== null && typeof arg === 'object') as
      { asyncContext?: unknown } | undefined;

    void invoke(operation, data).then((result) => {
      if (!callback) return;
      const asyncResult: Record<string, unknown> = {
        status: result.status,
        value: result.value,
        asyncContext: options ? options.asyncContext : undefined,
      };
      if (result.error) {
        const error = new Error(result.error.message) as Error & { code: number };
        error.name = result.error.name;
        error.code = result.error.code;
        asyncResult.error = error;
      }
      callback(asyncResult);
    });
  };
}

function recipientsApi(invoke: Invoke, field: 'to' | 'cc' | 'bcc') {
  return {
    getAsync: asyncMethod(invoke, `${field}.getAsync`, 0),
    setAsync: asyncMethod(invoke, `${field}.setAsync`, 1),
    addAsync: asyncMethod(invoke, `${field}.addAsync`, 1),
  };
}

function notificationMessagesApi(invoke: Invoke) {
  return {
    addAsync: asyncMethod(invoke, 'notificationMessages.addAsync', 2),
    replaceAsync: asyncMethod(invoke, 'notificationMessages.replaceAsync', 2),
    removeAsync: asyncMethod(invoke, 'notificationMessages.removeAsync', 1),
    getAllAsync: asyncMethod(invoke, 'notificationMessages.getAllAsync', 0),
  };
}

function addHandlerAsync(bridge: SimulatorBridge, role: FrameRole) {
  return (eventType: string, handler: (event: unknown) => void, ...rest: unknown[]) => {
    bridge.addHandler(role, eventType, (eventJson) => handler(JSON.parse(eventJson)));
    const callback = rest.filter((arg) => typeof arg === 'function').pop() as ((result: unknown) => void) | undefined;
    if (callback) setTimeout(() => callback({ status: 'succeeded', value: undefined }), 0);
  };
}

function removeHandlerAsync(bridge: SimulatorBridge, role: FrameRole) {
  return (eventType: string, ...rest: unknown[]) => {
    bridge.removeHandlers(role, eventType);
    const callback = rest.filter((arg) => typeof arg === 'function').pop() as ((result: unknown) => void) | undefined;
    if (callback) setTimeout(() => callback({ status: 'succeeded', value: undefined }), 0);
  };
}

function composeItem(snapshot: ComposeItemSnapshot, invoke: Invoke, bridge: SimulatorBridge, role: FrameRole) {
  return {
    itemType: snapshot.itemType,
    conversationId: snapshot.conversationId,
    to: recipientsApi(invoke, 'to'),
    cc: recipientsApi(invoke, 'cc'),
    bcc: recipientsApi(invoke, 'bcc'),
    subject: {
      getAsync: asyncMethod(invoke, 'subject.getAsync', 0),
      setAsync: asyncMethod(invoke, 'subject.setAsync', 1),
    },
    body: {
      getAsync: asyncMethod(invoke, 'body.getAsync', 1),
      setAsync: asyncMethod(invoke, 'body.setAsync', 1),
    },
    sessionData: {
      getAsync: asyncMethod(invoke, 'sessionData.getAsync', 1),
      setAsync: asyncMethod(invoke, 'sessionData.setAsync', 2),
      getAllAsync: asyncMethod(invoke, 'sessionData.getAllAsync', 0),
      removeAsync: asyncMethod(invoke, 'sessionData.removeAsync', 1),
      clearAsync: asyncMethod(invoke, 'sessionData.clearAsync', 0),
    },
    internetHeaders: {
      getAsync: asyncMethod(invoke, 'internetHeaders.getAsync', 1),
      setAsync: asyncMethod(invoke, 'internetHeaders.setAsync', 1),
      removeAsync: asyncMethod(invoke, 'internetHeaders.removeAsync', 1),
    },
    notificationMessages: notificationMessagesApi(invoke),
    getInitializationContextAsync: asyncMethod(invoke, 'getInitializationContextAsync', 0),
    getComposeTypeAsync: asyncMethod(invoke, 'getComposeTypeAsync', 0),
    sendAsync: asyncMethod(invoke, 'sendAsync', 0),
    addHandlerAsync: addHandlerAsync(bridge, role),
    removeHandlerAsync: removeHandlerAsync(bridge, role),
  };
}

function readItem(snapshot: ReadItemSnapshot, invoke: Invoke, bridge: SimulatorBridge, role: FrameRole) {
  return {
    itemType: snapshot.itemType,
    itemId: snapshot.itemId,
    internetMessageId: snapshot.internetMessageId,
    conversationId: snapshot.conversationId,
    subject: snapshot.subject,
    normalizedSubject: snapshot.subject.replace(/^((re|fw|fwd|odp|pd|aw|wg)\s*:\s*)+/i, ''),
    from: snapshot.from,
    sender: snapshot.from,
    to: snapshot.to,
    cc: snapshot.cc,
    dateTimeCreated: new Date(snapshot.dateTimeCreated),
    body: { getAsync: asyncMethod(invoke, 'body.getAsync', 1) },
    notificationMessages: notificationMessagesApi(invoke),
    getInitializationContextAsync: asyncMethod(invoke, 'getInitializationContextAsync', 0),
    addHandlerAsync: addHandlerAsync(bridge, role),
    removeHandlerAsync: removeHandlerAsync(bridge, role),
  };
}

export function createItem(
  snapshot: ComposeItemSnapshot | ReadItemSnapshot,
  invoke: Invoke,
  bridge: SimulatorBridge,
  role: FrameRole,
) {
  return snapshot.mode === 'compose'
    ? composeItem(snapshot, invoke, bridge, role)
    : readItem(snapshot, invoke, bridge, role);
}

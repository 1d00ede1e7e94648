/**
 * A small stand-in for Office.js in browser tests of the task pane, served in place of the
 * CDN script. It provides a compose or read item with the calls the pane makes, and exposes
 * the item's state as `window.__fakeOffice` so that tests can read what the pane changed.
 */

export interface FakeRecipient {
  emailAddress: string;
  displayName: string;
}

export interface FakeComposeItem {
  kind: 'compose';
  to: FakeRecipient[];
  cc: FakeRecipient[];
  bcc: FakeRecipient[];
  subject: string;
  conversationId?: string;
  /** Smart Alerts `contextData`; absent when the pane opens from the ribbon. */
  contextData?: string;
}

export interface FakeReadItem {
  kind: 'read';
  from: FakeRecipient;
  to: FakeRecipient[];
  cc: FakeRecipient[];
  subject: string;
  internetMessageId?: string;
  conversationId?: string;
}

export interface FakeOfficeConfig {
  displayLanguage: string;
  /** Office body background; `#1f1f1f` reads as dark. */
  bodyBackgroundColor: string;
  /** Highest Mailbox requirement set, such as `1.15`. */
  mailboxVersion: string;
  item: FakeComposeItem | FakeReadItem;
}

/** State of the fake item that tests read back with `page.evaluate(() => window.__fakeOffice)`. */
export interface FakeOfficeState {
  recipients: { to: FakeRecipient[]; cc: FakeRecipient[]; bcc: FakeRecipient[] };
  sessionData: Record<string, string>;
  internetHeaders: Record<string, string>;
  sent: boolean;
}

// Plain ES5 so that it runs as the page's first classic script, before the pane's bundle.
const FAKE_OFFICE_SOURCE = String.raw`
(function (config) {
  function versionAtMost(version, max) {
    var a = version.split('.').map(Number), b = max.split('.').map(Number);
    for (var i = 0; i < Math.max(a.length, b.length); i++) {
      var d = (a[i] || 0) - (b[i] || 0);
      if (d !== 0) return d < 0;
    }
    return true;
  }
  function later(callback, result) { setTimeout(function () { if (callback) callback(result); }, 0); }
  function ok(value) { return { status: 'succeeded', value: value }; }
  function failed(name, message) { return { status: 'failed', value: undefined, error: { name: name, message: message, code: 9000 } }; }
  function copy(list) { return list.map(function (r) { return { emailAddress: r.emailAddress, displayName: r.displayName }; }); }

  var state = {
    recipients: { to: [], cc: [], bcc: [] },
    sessionData: {},
    internetHeaders: {},
    sent: false,
  };
  var handlers = {};
  var item;
  var source = config.item;

  if (source.kind === 'compose') {
    state.recipients = { to: copy(source.to), cc: copy(source.cc), bcc: copy(source.bcc) };
    function field(name) {
      return {
        getAsync: function (callback) { later(callback, ok(copy(state.recipients[name]).map(function (r) { r.recipientType = 'other'; return r; }))); },
        setAsync: function (list, options, callback) {
          if (typeof options === 'function') callback = options;
          // Tests set this count to make the next writes fail, as Outlook's writes fail when the item was closed.
          if (window.__fakeOfficeFailRecipientWrites > 0) {
            window.__fakeOfficeFailRecipientWrites -= 1;
            later(callback, failed('GenericResponseError', 'the recipients could not be changed'));
            return;
          }
          state.recipients[name] = copy(list);
          later(callback, ok(undefined));
        },
      };
    }
    item = {
      itemType: 'message',
      to: field('to'),
      cc: field('cc'),
      bcc: field('bcc'),
      subject: { getAsync: function (callback) { later(callback, ok(source.subject)); } },
      conversationId: source.conversationId || null,
      sessionData: {
        getAsync: function (name, callback) {
          if (Object.prototype.hasOwnProperty.call(state.sessionData, name)) later(callback, ok(state.sessionData[name]));
          else later(callback, failed('InvalidSessionDataKey', 'no such key'));
        },
        setAsync: function (name, value, callback) { state.sessionData[name] = value; later(callback, ok(undefined)); },
      },
      internetHeaders: {
        setAsync: function (headers, callback) {
          for (var key in headers) state.internetHeaders[key] = headers[key];
          later(callback, ok(undefined));
        },
      },
      getInitializationContextAsync: function (callback) {
        if (source.contextData) later(callback, ok(source.contextData));
        else later(callback, failed('ItemNotFound', 'no initialization context'));
      },
      addHandlerAsync: function (type, handler, callback) { handlers[type] = handler; later(callback, ok(undefined)); },
    };
    if (versionAtMost('1.15', config.mailboxVersion)) {
      item.sendAsync = function (callback) { state.sent = true; later(callback, ok(undefined)); };
    }
  } else {
    item = {
      itemType: 'message',
      from: source.from,
      to: source.to,
      cc: source.cc,
      subject: source.subject,
      internetMessageId: source.internetMessageId || null,
      conversationId: source.conversationId || null,
    };
  }

  window.__fakeOffice = state;
  window.__fakeOfficeFire = function (type, args) { if (handlers[type]) handlers[type](args); };
  window.Office = {
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
    EventType: { InitializationContextChanged: 'olkInitializationContextChanged', ItemChanged: 'olkItemSelectedChanged', OfficeThemeChanged: 'officeThemeChanged' },
    context: {
      displayLanguage: config.displayLanguage,
      officeTheme: { bodyBackgroundColor: config.bodyBackgroundColor, bodyForegroundColor: '#000000', controlBackgroundColor: config.bodyBackgroundColor, controlForegroundColor: '#000000' },
      requirements: {
        isSetSupported: function (name, version) {
          return name === 'Mailbox' && versionAtMost(version || '1.1', config.mailboxVersion);
        },
      },
      mailbox: {
        item: item,
        addHandlerAsync: function (type, handler, callback) { handlers[type] = handler; later(callback, ok(undefined)); },
      },
    },
    onReady: function (callback) {
      var info = { host: 'Outlook', platform: 'OfficeOnline' };
      return new Promise(function (resolve) { setTimeout(function () { if (callback) callback(info); resolve(info); }, 0); });
    },
  };
})`;

/** Returns the script that replaces Office.js for one page. */
export function fakeOfficeScript(config: FakeOfficeConfig): string {
  return `${FAKE_OFFICE_SOURCE}(${JSON.stringify(config)});`;
}

/**
 * The simulator's own logic, apart from the browser: the compose item's Office operations with
 * the web client's limits and quirks, recipient parsing, the MIME it sends, and its strings.
 */
import { describe, expect, it } from 'vitest';
import type { FrameRole } from '../../src/dev/bridge.js';
import { ComposeItem, MAX_CALLS_IN_FLIGHT, newComposeState } from '../../src/dev/host/compose-item.js';
import type { ComposeState, HostSwitches } from '../../src/dev/host/compose-item.js';
import {
  DEFAULT_LAUNCH_EVENT_PAGE,
  launchEventPageFrom,
  requestTimeWithin,
} from '../../src/dev/host/launch-runtime.js';
import { buildMime, encodeHeaderText } from '../../src/dev/host/mime.js';
import { baseAddress, makeRecipient, parseRecipients, recipientTypeOf } from '../../src/dev/host/recipients.js';
import { HOST_STRING_KEYS, hostText, languageOfLocale } from '../../src/dev/host/strings.js';
import type { HostLanguage } from '../../src/dev/host/strings.js';
import { conversationIdFor, replyState } from '../../src/dev/host/threads.js';

const noQuirks: HostSwitches = {
  ignorePlusTagChanges: false,
  refireAfterChange: false,
  staleRecipientList: false,
  backendDown: false,
};

function composeItem(switches: Partial<HostSwitches> = {}, state: Partial<ComposeState> = {}) {
  const changes: string[] = [];
  const item = new ComposeItem(
    newComposeState(state),
    { ...noQuirks, ...switches },
    {
      changed: (part) => changes.push(part),
      initializationContext: () => '{"planId":"p1"}',
      send: async () => true,
    },
  );
  return { item, changes };
}

const role: FrameRole = 'launchevent';

describe('simulated compose item', () => {
  it('fails a call past three in flight', async () => {
    const { item } = composeItem();

    const results = await Promise.all(
      Array.from({ length: MAX_CALLS_IN_FLIGHT + 1 }, () => item.run(role, 'to.getAsync', [])),
    );

    expect(results.slice(0, MAX_CALLS_IN_FLIGHT).map((result) => result.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(results[MAX_CALLS_IN_FLIGHT]?.status).toBe('failed');
    expect(results[MAX_CALLS_IN_FLIGHT]?.error?.name).toBe('TooManyAsyncCalls');
  });

  it('counts calls per runtime', async () => {
    const { item } = composeItem();

    const launchEvent = Array.from({ length: MAX_CALLS_IN_FLIGHT }, () => item.run('launchevent', 'to.getAsync', []));
    const taskPane = item.run('taskpane', 'to.getAsync', []);

    expect((await taskPane).status).toBe('succeeded');
    expect((await Promise.all(launchEvent)).every((result) => result.status === 'succeeded')).toBe(true);
  });

  it('sets recipients and reads them back', async () => {
    const { item, changes } = composeItem();

    await item.run(role, 'cc.setAsync', [[{ emailAddress: 'pl.support+10042-C@contoso.example', displayName: 'PL' }]]);
    const read = await item.run(role, 'cc.getAsync', []);

    expect(read.value).toEqual([
      { emailAddress: 'pl.support+10042-C@contoso.example', displayName: 'PL', recipientType: 'other' },
    ]);
    expect(changes).toEqual(['recipients']);
    expect(item.state.version).toBe(1);
  });

  it('ignores a +tag-only change like the web client', async () => {
    const { item } = composeItem(
      { ignorePlusTagChanges: true },
      { to: [makeRecipient('uk.support@contoso.example', 'UK Support')] },
    );
    const tagged = [{ emailAddress: 'uk.support+101202-T@contoso.example', displayName: 'UK Support' }];

    await item.run(role, 'to.setAsync', [tagged]);
    const ignored = item.state.to.map((recipient) => recipient.emailAddress);
    await item.run(role, 'to.setAsync', [[]]);
    await item.run(role, 'to.setAsync', [tagged]);

    expect(ignored).toEqual(['uk.support@contoso.example']);
    expect(item.state.to.map((recipient) => recipient.emailAddress)).toEqual(['uk.support+101202-T@contoso.example']);
  });

  it('counts no change for a repeated header', async () => {
    const { item } = composeItem();

    await item.run(role, 'internetHeaders.setAsync', [{ 'X-Worklink-Plan': 'p1' }]);
    await item.run(role, 'internetHeaders.setAsync', [{ 'X-Worklink-Plan': 'p1' }]);
    const read = await item.run(role, 'internetHeaders.getAsync', [['x-worklink-plan']]);

    expect(item.state.version).toBe(1);
    expect(read.value).toEqual({ 'X-Worklink-Plan': 'p1' });
  });

  it('keeps sessionData per key', async () => {
    const { item } = composeItem();

    const missing = await item.run(role, 'sessionData.getAsync', ['worklink.plan']);
    await item.run(role, 'sessionData.setAsync', ['worklink.plan', '{"planId":"p1"}']);
    const stored = await item.run(role, 'sessionData.getAsync', ['worklink.plan']);

    expect(missing).toEqual({ status: 'succeeded', value: '' });
    expect(stored.value).toBe('{"planId":"p1"}');
    expect(item.state.version).toBe(0);
  });

  it('rejects sessionData over 50,000 characters', async () => {
    const { item } = composeItem();

    const result = await item.run(role, 'sessionData.setAsync', ['big', 'x'.repeat(50_001)]);

    expect(result.status).toBe('failed');
    expect(result.error?.name).toBe('SessionObjectMaxLengthExceeded');
  });

  it('rejects more than 100 recipients in one call', async () => {
    const { item } = composeItem();
    const many = Array.from({ length: 101 }, (_, index) => `person${index}@fabrikam.example`);

    const result = await item.run(role, 'bcc.setAsync', [many]);

    expect(result.status).toBe('failed');
    expect(result.error?.name).toBe('NumberOfRecipientsExceeded');
  });

  it('rejects a recipient without an address', async () => {
    const { item } = composeItem();

    const result = await item.run(role, 'to.addAsync', [[{ displayName: 'Nobody' }]]);

    expect(result.status).toBe('failed');
    expect(result.error?.name).toBe('InvalidParameter');
  });

  it('returns the initialization context', async () => {
    const { item } = composeItem();

    const result = await item.run('taskpane', 'getInitializationContextAsync', []);

    expect(result.value).toBe('{"planId":"p1"}');
  });

  it('fails an operation it does not simulate', async () => {
    const { item } = composeItem();

    const result = await item.run(role, 'location.getAsync', []);

    expect(result.status).toBe('failed');
    expect(result.error?.name).toBe('InvalidOperation');
  });
});

describe('simulated recipients', () => {
  it('parses names, quotes and separators', () => {
    const parsed = parseRecipients('"Kent, Uma" <uk.agent@contoso.example>; legal@contoso.example, not-an-address');

    expect(parsed.recipients.map((recipient) => [recipient.displayName, recipient.emailAddress])).toEqual([
      ['Kent, Uma', 'uk.agent@contoso.example'],
      ['legal@contoso.example', 'legal@contoso.example'],
    ]);
    expect(parsed.invalid).toEqual(['not-an-address']);
  });

  it.each([
    ['pl.support@contoso.example', 'user'],
    ['pl.support+10042-C@contoso.example', 'other'],
    ['billing@fabrikam.example', 'externalUser'],
  ])('resolves %s as %s', (address, type) => {
    expect(recipientTypeOf(address)).toBe(type);
  });

  it('strips the tag for routing', () => {
    expect(baseAddress('PL.Support+10042-C@Contoso.Example')).toBe('pl.support@contoso.example');
  });
});

describe('simulated replies', () => {
  const message = {
    messageId: 'a3f1@mail.fabrikam.example',
    from: 'billing@fabrikam.example',
    fromName: 'Fabrikam Billing',
    to: [{ address: 'uk.support@contoso.example', name: 'UK Support' }],
    cc: [{ address: 'uk.agent@contoso.example', name: 'Uma Kent' }],
    date: '2024-12-02T09:13:58Z',
    subject: 'Invoice 2024/11/0457',
    textBody: 'Hello',
    workItems: ['101202-T'],
  };

  it('replies to all without the agent', () => {
    const state = replyState(message, true, 'uk.agent@contoso.example', 'RE: ');

    expect(state.to.map((recipient) => recipient.emailAddress)).toEqual([
      'billing@fabrikam.example',
      'uk.support@contoso.example',
    ]);
    expect(state.cc).toEqual([]);
    expect(state.subject).toBe('RE: Invoice 2024/11/0457');
    expect(state.inReplyTo).toBe('<a3f1@mail.fabrikam.example>');
    expect(state.references).toEqual(['<a3f1@mail.fabrikam.example>']);
  });

  it('keeps one conversation across prefixes', () => {
    expect(conversationIdFor('ODP: RE: Invoice 2024/11/0457')).toBe(conversationIdFor('Invoice 2024/11/0457'));
    expect(conversationIdFor('Another subject')).not.toBe(conversationIdFor('Invoice 2024/11/0457'));
  });
});

describe('simulated MIME', () => {
  const built = buildMime({
    from: { emailAddress: 'pl.agent@contoso.example', displayName: 'Paweł Lis' },
    to: [makeRecipient('billing@fabrikam.example', 'Fabrikam Billing')],
    cc: [makeRecipient('uk.support+101202-T@contoso.example', 'UK Support')],
    bcc: [makeRecipient('legal@contoso.example')],
    subject: 'ODP: Faktura – zażółć',
    body: 'Dzień dobry\nPozdrawiam',
    messageId: '<sim.1@contoso.example>',
    date: new Date('2026-12-04T10:00:00Z'),
    inReplyTo: '<a3f1@mail.fabrikam.example>',
    references: ['<a3f1@mail.fabrikam.example>'],
    internetHeaders: { 'X-Worklink-Plan': 'p1', Bcc: 'smuggled@fabrikam.example', 'Bad Name': 'x' },
  });
  const [head = '', body = ''] = built.raw.split('\r\n\r\n');

  it('encodes non-ASCII names and subjects', () => {
    expect(head).toContain(`From: ${encodeHeaderText('Paweł Lis')} <pl.agent@contoso.example>`);
    expect(head).toContain(`Subject: ${encodeHeaderText('ODP: Faktura – zażółć')}`);
    expect(encodeHeaderText('plain')).toBe('plain');
  });

  it('keeps Bcc out of the headers and in the envelope', () => {
    expect(head).not.toMatch(/^Bcc:/im);
    expect(built.envelopeTo).toEqual([
      'billing@fabrikam.example',
      'uk.support+101202-T@contoso.example',
      'legal@contoso.example',
    ]);
  });

  it('writes the threading and add-in headers', () => {
    expect(head).toContain('In-Reply-To: <a3f1@mail.fabrikam.example>');
    expect(head).toContain('References: <a3f1@mail.fabrikam.example>');
    expect(head).toContain('X-Worklink-Plan: p1');
    expect(head).not.toContain('Bad Name');
  });

  it('encodes the body as UTF-8 base64', () => {
    expect(Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString('utf8')).toBe('Dzień dobry\r\nPozdrawiam');
  });
});

describe('launch-event page switch', () => {
  it('defaults to the built page', () => {
    expect(launchEventPageFrom('')).toEqual({ page: DEFAULT_LAUNCH_EVENT_PAGE });
    expect(launchEventPageFrom('?launchevent=')).toEqual({ page: DEFAULT_LAUNCH_EVENT_PAGE });
  });

  it('takes a path on the same origin', () => {
    expect(launchEventPageFrom('?launchevent=%2Fbench%2Fempty-launchevent.html')).toEqual({
      page: '/bench/empty-launchevent.html',
    });
  });

  it('rejects another origin', () => {
    for (const value of [
      'https://example.invalid/launchevent.html',
      '//example.invalid/launchevent.html',
      '/\\x/launchevent',
    ]) {
      const result = launchEventPageFrom(`?launchevent=${encodeURIComponent(value)}`);

      expect(result.page, value).toBe(DEFAULT_LAUNCH_EVENT_PAGE);
      expect(result.error?.key, value).toBe('launchEventOtherOrigin');
      expect(hostText('launchEventOtherOrigin', 'en', result.error?.params), value).toBe(
        `launchevent="${value}" is not a path on this origin; give one such as /bench/empty-launchevent.html. Running ${DEFAULT_LAUNCH_EVENT_PAGE}.`,
      );
    }
  });

  it('rejects a path without launchevent', () => {
    const result = launchEventPageFrom('?launchevent=%2Fbench%2Fempty.html');

    expect(result.page).toBe(DEFAULT_LAUNCH_EVENT_PAGE);
    expect(result.error?.key).toBe('launchEventNoRole');
    expect(hostText('launchEventNoRole', 'pl', result.error?.params)).toContain('launchevent="/bench/empty.html"');
  });
});

describe('Office call delay', () => {
  it('answers a zero-delay call in a later task', async () => {
    const item = new ComposeItem(
      newComposeState({ subject: 'Quote' }),
      noQuirks,
      { changed: () => undefined, initializationContext: () => '', send: async () => true },
      0,
    );
    let answered = false;

    const result = item.run(role, 'subject.getAsync', []).then((value) => {
      answered = true;
      return value;
    });
    await Promise.resolve();

    expect(answered).toBe(false);
    expect((await result).value).toBe('Quote');
  });
});

describe('simulated request time', () => {
  /** Builds a frame whose clock starts `offset` ms after this page's and whose requests ran over `spans`. */
  function frameWith(offset: number, spans: [number, number][]): HTMLIFrameElement {
    const entries = spans.map(([startTime, responseEnd]) => ({ startTime, responseEnd }));
    const performanceOfFrame = { timeOrigin: performance.timeOrigin + offset, getEntriesByType: () => entries };
    return { contentWindow: { performance: performanceOfFrame } } as unknown as HTMLIFrameElement;
  }

  it('counts overlapping requests once', () => {
    const frame = frameWith(0, [
      [10, 20],
      [15, 30],
      [40, 45],
    ]);

    expect(requestTimeWithin(frame, 0, 100)).toBe(25);
  });

  it('clips requests to the handler window', () => {
    const frame = frameWith(0, [
      [0, 12],
      [90, 120],
    ]);

    expect(requestTimeWithin(frame, 10, 100)).toBe(12);
  });

  it("shifts the frame's clock onto the page's", () => {
    const frame = frameWith(50, [[0, 10]]);

    expect(requestTimeWithin(frame, 0, 55)).toBe(5);
  });

  it('returns 0 for a removed frame', () => {
    const frame = { contentWindow: null } as unknown as HTMLIFrameElement;

    expect(requestTimeWithin(frame, 0, 100)).toBe(0);
  });
});

describe('simulator strings', () => {
  /** Returns the `{name}` placeholders of a host string, sorted. */
  function placeholders(template: string): string[] {
    return [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string).sort();
  }

  it('has the same placeholders in both languages', () => {
    for (const key of HOST_STRING_KEYS) {
      expect(placeholders(hostText(key, 'pl')), key).toEqual(placeholders(hostText(key, 'en')));
    }
  });

  it('translates the log lines and the title', () => {
    const keys = ['pageTitle', 'actionFailed', 'switchChanged', 'switchOn', 'notAnAddress', 'handlerTimedOut'] as const;

    for (const key of keys) expect(hostText(key, 'pl'), key).not.toBe(hostText(key, 'en'));
  });

  it('draws nested strings in the same language', () => {
    const params = { name: { key: 'backendDown' as const }, state: { key: 'switchOn' as const } };

    expect(hostText('switchChanged', 'en', params)).toBe('switch "Worklink server down": on');
    expect(hostText('switchChanged', 'pl', params)).toBe('przełącznik „Serwer Worklink niedostępny”: włączony');
  });

  it('keeps a placeholder without a value', () => {
    expect(hostText('notAnAddress', 'en')).toBe('not an address, left out: {entries}');
  });

  it.each<[string | undefined, HostLanguage]>([
    ['pl', 'pl'],
    ['pl-PL', 'pl'],
    ['PL-pl', 'pl'],
    ['pl_PL', 'pl'],
    ['en-US', 'en'],
    ['de-DE', 'en'],
    ['plt', 'en'],
    ['', 'en'],
    [undefined, 'en'],
  ])('picks the language of locale %s', (locale, language) => {
    expect(languageOfLocale(locale)).toBe(language);
  });
});

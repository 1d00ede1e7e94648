import { describe, expect, it, vi } from 'vitest';
import type { CommitRequest, CommitResponse, FormField, PlanDecision } from '../../src/core/api-types.js';
import { createSendHandler } from '../../src/addin/launchevent/send-handler.js';
import type { CompletedOptions } from '../../src/addin/launchevent/smart-alerts.js';
import { BackendError } from '../../src/addin/shared/backend-client.js';
import { OfficeAsyncError, createOfficeItemApi } from '../../src/addin/shared/office-async.js';
import type { ComposeItem } from '../../src/addin/shared/office-async.js';
import { SESSION_PLAN_KEY, parseSessionPlan } from '../../src/addin/shared/session-plan.js';
import { STORAGE_KEYS, createMemoryStorage } from '../../src/addin/shared/storage.js';
import { STRING_KEYS, catalogueKeys, t } from '../../src/addin/shared/strings.js';
import type { PaneApi, WorkItemSummary } from '../../src/addin/taskpane/api/pane-api.js';
import { describePaneError } from '../../src/addin/taskpane/common/error-message.js';
import { formatDateTime } from '../../src/addin/taskpane/common/format.js';
import { parsePlanContext } from '../../src/addin/taskpane/host/office-host.js';
import { ApplyError, PLAN_HEADER, applyDecision } from '../../src/addin/taskpane/linking/apply-plan.js';
import {
  checkField,
  fieldLabel,
  initialDecisionState,
  isCalendarDate,
  resolveCreatedChoices,
  toChoice,
  validateDecision,
} from '../../src/addin/taskpane/linking/plan-form.js';
import { resolvePaneApiOrigin } from '../../src/addin/taskpane/pane-origin.js';
import { pickThemeName } from '../../src/addin/taskpane/pane-theme.js';
import {
  applyStatusChange,
  referencesOfEvent,
  statusChangeOfEvent,
} from '../../src/addin/taskpane/read/live-updates.js';
import type { ReadModelItem } from '../../src/addin/taskpane/read/read-lookup.js';
import {
  fetchDirectoryIntoCache,
  findReferences,
  referencesFromAddresses,
  teamNamesFromCache,
} from '../../src/addin/taskpane/read/read-lookup.js';
import { demoDirectory } from '../support/office-backend-fake.js';
import { createOutlookMock } from '../support/office-outlook-mock.js';
import type { OutlookMockOptions } from '../support/office-outlook-mock.js';

const entity: FormField = {
  name: 'entity',
  label: { en: 'Legal entity', pl: 'Podmiot' },
  type: 'choice',
  required: true,
  options: ['Contoso Polska', 'Contoso UK'],
};
const dueDate: FormField = { name: 'dueDate', label: { en: 'Due date', pl: 'Termin' }, type: 'date', required: false };
const note: FormField = { name: 'note', label: { en: 'Note', pl: '' }, type: 'text', required: false };

function decision(overrides: Partial<PlanDecision> = {}): PlanDecision {
  return {
    mailbox: 'pl.support@contoso.example',
    teamId: 2,
    teamName: 'Team B (PL)',
    linkedItems: [],
    form: [entity, dueDate, note],
    defaultChoice: { action: 'create' },
    ...overrides,
  };
}

const linkedCase = { reference: '10040-C', type: 'case', teamId: 2, status: 'todo', view: 'header' } as const;
const otherCase = { reference: '10041-C', type: 'case', teamId: 2, status: 'done', view: 'header' } as const;

describe('initialDecisionState', () => {
  it('pre-selects the only linked item', () => {
    const state = initialDecisionState(decision({ linkedItems: [linkedCase], defaultChoice: { action: 'create' } }));

    expect(state.action).toBe('share');
    expect(state.reference).toBe('10040-C');
  });

  it("follows the server's default among several items", () => {
    const state = initialDecisionState(
      decision({ linkedItems: [linkedCase, otherCase], defaultChoice: { action: 'share', reference: '10041-C' } }),
    );

    expect(state).toMatchObject({ action: 'share', reference: '10041-C' });
  });

  it('picks nothing for a default reference that is not listed', () => {
    const state = initialDecisionState(
      decision({ linkedItems: [linkedCase, otherCase], defaultChoice: { action: 'share', reference: '99999-C' } }),
    );

    expect(state.reference).toBeNull();
  });

  it('creates when no item is linked', () => {
    const state = initialDecisionState(decision({ defaultChoice: { action: 'share' } }));

    expect(state.action).toBe('create');
  });

  it('fills a choice field that has one option', () => {
    const single: FormField = { ...entity, options: ['Contoso Polska'] };
    const state = initialDecisionState(decision({ form: [single, dueDate] }));

    expect(state.fields).toEqual({ entity: 'Contoso Polska', dueDate: '' });
  });
});

describe('form validation', () => {
  it.each([
    ['2026-12-31', true],
    ['2028-02-29', true],
    ['2026-02-29', false],
    ['2026-13-01', false],
    ['31.12.2026', false],
    ['2026-1-5', false],
    ['', false],
  ])('isCalendarDate(%j) is %s', (value, expected) => {
    expect(isCalendarDate(value)).toBe(expected);
  });

  it('marks a missing required field', () => {
    expect(checkField(entity, '  ')).toBe('required');
  });

  it('accepts an empty optional field', () => {
    expect(checkField(dueDate, '')).toBeNull();
  });

  it('rejects a value outside the options', () => {
    expect(checkField(entity, 'Contoso France')).toBe('choice');
  });

  it('rejects a date in another format', () => {
    expect(checkField(dueDate, '12/31/2026')).toBe('date');
  });

  it('rejects a day the month lacks', () => {
    expect(checkField(dueDate, '2026-02-30')).toBe('no-such-date');
  });

  it('lists each problem of a create decision', () => {
    const plan = decision();
    const state = { ...initialDecisionState(plan), fields: { entity: '', dueDate: '2026-02-30', note: 'x' } };

    expect(validateDecision(plan, state)).toEqual({ fields: { entity: 'required', dueDate: 'no-such-date' } });
  });

  it('needs a reference to share', () => {
    const plan = decision({ linkedItems: [linkedCase, otherCase] });
    const state = { mailbox: plan.mailbox, action: 'share' as const, reference: null, fields: {} };

    expect(validateDecision(plan, state)).toEqual({ reference: 'required', fields: {} });
  });

  it('ignores the form when sending as plain email', () => {
    const plan = decision();
    const state = { ...initialDecisionState(plan), action: 'plain' as const };

    expect(validateDecision(plan, state)).toEqual({ fields: {} });
  });
});

describe('toChoice', () => {
  it('trims values and drops empty optional fields', () => {
    const plan = decision();
    const state = { ...initialDecisionState(plan), fields: { entity: ' Contoso UK ', dueDate: '', note: '  ' } };

    expect(toChoice(plan, state)).toEqual({
      mailbox: 'pl.support@contoso.example',
      action: 'create',
      fields: { entity: 'Contoso UK' },
    });
  });

  it('sends share with its reference and plain without fields', () => {
    const plan = decision({ linkedItems: [linkedCase] });

    expect(toChoice(plan, initialDecisionState(plan))).toEqual({
      mailbox: plan.mailbox,
      action: 'share',
      reference: '10040-C',
    });
    expect(toChoice(plan, { ...initialDecisionState(plan), action: 'plain' })).toEqual({
      mailbox: plan.mailbox,
      action: 'plain',
    });
  });
});

describe('labels and small helpers', () => {
  it('localises field labels with an English fallback', () => {
    expect(fieldLabel(entity, 'pl')).toBe('Podmiot');
    expect(fieldLabel(note, 'pl')).toBe('Note');
    expect(fieldLabel({ ...note, label: { en: '', pl: '' } }, 'en')).toBe('note');
  });

  it('records created references as shares in order', () => {
    const choices = [
      { mailbox: 'a@contoso.example', action: 'create' as const, fields: {} },
      { mailbox: 'b@contoso.example', action: 'plain' as const },
      { mailbox: 'c@contoso.example', action: 'create' as const, fields: {} },
    ];

    expect(resolveCreatedChoices(choices, ['1-C', '2-C'])).toEqual([
      { mailbox: 'a@contoso.example', action: 'share', reference: '1-C' },
      { mailbox: 'b@contoso.example', action: 'plain' },
      { mailbox: 'c@contoso.example', action: 'share', reference: '2-C' },
    ]);
    expect(resolveCreatedChoices(choices, ['1-C'])).toBe(choices);
  });

  it.each([
    ['{"planId":"3f1c"}', '3f1c'],
    ['{"planId":""}', null],
    ['{"other":1}', null],
    ['not json', null],
    [null, null],
  ])('parsePlanContext(%j) is %j', (context, expected) => {
    expect(parsePlanContext(context)).toBe(expected);
  });

  it('reads references from plus addresses only', () => {
    expect(
      referencesFromAddresses(
        [
          'pl.support+10040-c@contoso.example',
          'orders@fabrikam.example',
          'uk.support+101203-T@contoso.example',
          'x+notes@contoso.example',
          'pl.support+10040-C@contoso.example',
        ],
        '+',
      ),
    ).toEqual(['10040-C', '101203-T']);
  });

  it('reads references from event data', () => {
    expect(referencesOfEvent('{"reference":"10040-C","teamId":2}')).toEqual(['10040-C']);
    expect(referencesOfEvent('{"workItems":[{"reference":"1-T"},{"reference":"2-C"}]}')).toEqual(['1-T', '2-C']);
    expect(referencesOfEvent('not json')).toEqual([]);
  });

  it('reads a status change from event data', () => {
    expect(
      statusChangeOfEvent(
        '{"reference":"10040-C","teamId":2,"status":"done","previousStatus":"todo","origin":"manual"}',
      ),
    ).toEqual({ reference: '10040-C', status: 'done' });
    expect(statusChangeOfEvent('{"reference":"10040-C","status":"closed"}')).toBeNull();
    expect(statusChangeOfEvent('{"status":"done"}')).toBeNull();
    expect(statusChangeOfEvent('null')).toBeNull();
    expect(statusChangeOfEvent('not json')).toBeNull();
  });

  it('maps team ids to names from the cached directory', () => {
    const raw = JSON.stringify({ directory: demoDirectory(), etag: null, fetchedAt: 0 });

    expect(teamNamesFromCache(raw).size).toBeGreaterThan(0);
    expect(teamNamesFromCache('{').size).toBe(0);
  });

  it('stores a fetched directory for team names', async () => {
    const stored = new Map<string, string>();
    const storage = {
      getItem: (key: string) => Promise.resolve(stored.get(key) ?? null),
      setItem: (key: string, value: string) => {
        stored.set(key, value);
        return Promise.resolve();
      },
      removeItem: (key: string) => {
        stored.delete(key);
        return Promise.resolve();
      },
    };
    const api = { ...fakeApi(() => rewritten), getDirectory: () => Promise.resolve(demoDirectory()) };

    const raw = await fetchDirectoryIntoCache(api, storage);

    expect(raw).toBe(stored.get('worklink.directory'));
    expect(teamNamesFromCache(raw).size).toBeGreaterThan(0);
  });

  it('leaves the cache alone when the directory fails', async () => {
    const storage = {
      getItem: () => Promise.resolve(null),
      setItem: () => Promise.reject(new Error('must not be called')),
      removeItem: () => Promise.resolve(),
    };
    const api = { ...fakeApi(() => rewritten), getDirectory: () => Promise.reject(new Error('offline')) };

    expect(await fetchDirectoryIntoCache(api, storage)).toBeNull();
  });

  it('lists the opened message items first', async () => {
    const summary = (reference: string) => ({ reference }) as WorkItemSummary;
    const api: PaneApi = {
      ...fakeApi(() => rewritten),
      reportConversation: (report) =>
        Promise.resolve({
          conversationId: report.conversationId,
          workItems: [
            { reference: '101202-T', teamId: 1, view: 'full' as const },
            { reference: '101203-T', teamId: 1, view: 'full' as const },
          ],
        }),
      listWorkItems: (query) =>
        Promise.resolve(
          query.messageId !== undefined
            ? [summary('101203-T'), summary('10043-C')]
            : [summary('101202-T'), summary('101203-T'), summary('10042-C')],
        ),
    };

    const references = await findReferences(
      api,
      {
        conversationId: 'AAQkAGI2-shared',
        internetMessageId: '<second@fabrikam.example>',
        subject: 'Order',
        addresses: [],
      },
      '+',
    );

    expect(references).toEqual(['101203-T', '10043-C', '101202-T', '10042-C']);
  });

  it('uses the page origin for the API', () => {
    expect(resolvePaneApiOrigin({ protocol: 'http:', origin: 'http://127.0.0.1:4100' }, 'https://localhost:3000')).toBe(
      'http://127.0.0.1:4100',
    );
    expect(resolvePaneApiOrigin({ protocol: 'file:', origin: 'null' }, 'https://localhost:3000')).toBe(
      'https://localhost:3000',
    );
  });

  it('picks high contrast over the Office colours', () => {
    expect(pickThemeName({ bodyBackgroundColor: '#ffffff' }, true)).toBe('high-contrast');
    expect(pickThemeName({ bodyBackgroundColor: '#1f1f1f' }, false)).toBe('dark');
    expect(pickThemeName(undefined, false)).toBe('light');
  });

  it('formats dates for the locale', () => {
    const iso = '2026-12-01T10:00:00.000Z';

    expect(formatDateTime(iso, 'pl-PL')).toBe(
      new Intl.DateTimeFormat('pl-PL', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)),
    );
    expect(formatDateTime('yesterday', 'en-GB')).toBe('yesterday');
  });

  it('maps failures to localised messages', () => {
    const unauthorized = new BackendError('WORKLINK_BACKEND_UNAUTHORIZED', 'x', 401);
    const fields = new BackendError('WORKLINK_BACKEND_ERROR', 'x', 400, 'WORKLINK_FIELDS_INVALID');
    const rewrite = new ApplyError('WORKLINK_REWRITE_NOT_VERIFIED', 'x', 'cc');

    expect(describePaneError(unauthorized, 'en')).toEqual({ text: t('error.signIn', 'en'), signIn: true });
    expect(describePaneError(fields, 'pl').text).toBe(t('error.fieldsInvalid', 'pl'));
    expect(describePaneError(rewrite, 'pl').text).toBe(t('error.rewrite', 'pl', { field: 'DW' }));
    expect(describePaneError(new OfficeAsyncError('to.setAsync', 'x', 'y'), 'en').text).toBe(t('error.office', 'en'));
  });
});

describe('string catalogues', () => {
  it('define the same keys in English and Polish', () => {
    expect([...catalogueKeys('pl')].sort()).toEqual([...catalogueKeys('en')].sort());
    expect([...catalogueKeys('en')].sort()).toEqual([...STRING_KEYS].sort());
  });

  it('have no empty string', () => {
    for (const key of STRING_KEYS) {
      expect(t(key, 'en').trim(), key).not.toBe('');
      expect(t(key, 'pl').trim(), key).not.toBe('');
    }
  });
});

/** A compose item addressed to an external party and Team B's mailbox, as in the demo. */
const composeToTeamB: OutlookMockOptions = {
  to: [{ emailAddress: 'orders@fabrikam.example', displayName: 'Fabrikam Orders' }],
  cc: [{ emailAddress: 'pl.support@contoso.example', displayName: 'Wsparcie PL' }],
  subject: 'Order 4471',
  mailboxVersion: '1.15',
};

function fakeApi(
  commit: (planId: string, request: CommitRequest) => CommitResponse,
): PaneApi & { commits: CommitRequest[] } {
  const commits: CommitRequest[] = [];
  const unused = () => Promise.reject(new Error('not used in this test'));
  return {
    commits,
    getAuthConfig: unused,
    createSendPlan: unused,
    getSendPlan: unused,
    listWorkItems: unused,
    getWorkItem: unused,
    reportConversation: unused,
    getDirectory: unused,
    setWorkItemStatus: unused,
    eventsUrl: () => Promise.resolve(null),
    commitSendPlan: (planId, request) => {
      commits.push(request);
      return Promise.resolve(commit(planId, request));
    },
  };
}

const rewritten: CommitResponse = {
  recipients: [
    { field: 'to', emailAddress: 'orders@fabrikam.example', displayName: 'Fabrikam Orders' },
    { field: 'cc', emailAddress: 'pl.support+10050-C@contoso.example', displayName: 'Wsparcie PL' },
  ],
  headers: { [PLAN_HEADER]: 'plan-1' },
  notices: [],
  createdReferences: ['10050-C'],
};

describe('applyDecision', () => {
  const choices = [
    { mailbox: 'pl.support@contoso.example', action: 'create' as const, fields: { entity: 'Contoso UK' } },
  ];

  it('rewrites, sets the header and records the plan', async () => {
    const outlook = createOutlookMock(composeToTeamB);
    const api = fakeApi(() => rewritten);
    const steps: string[] = [];

    await applyDecision(
      createOfficeItemApi(outlook.item as unknown as ComposeItem),
      api,
      { planId: 'plan-1', choices, currentReference: '101203-T' },
      (step) => steps.push(step),
    );

    expect(steps).toEqual(['commit', 'rewrite', 'record']);
    expect(api.commits).toEqual([{ choices, currentReference: '101203-T' }]);
    expect(outlook.recipients.cc).toEqual([
      { emailAddress: 'pl.support+10050-C@contoso.example', displayName: 'Wsparcie PL' },
    ]);
    expect(outlook.internetHeaders).toEqual({ [PLAN_HEADER]: 'plan-1' });
    expect(parseSessionPlan(outlook.sessionData[SESSION_PLAN_KEY])).toEqual({
      planId: 'plan-1',
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'share', reference: '10050-C' }],
      currentReference: '101203-T',
      recipients: rewritten.recipients,
      headers: { [PLAN_HEADER]: 'plan-1' },
    });
  });

  it('retries a rewrite that the host ignored once', async () => {
    const outlook = createOutlookMock({ ...composeToTeamB, quirk: 'ignore-tag-only-change-once' });

    await applyDecision(
      createOfficeItemApi(outlook.item as unknown as ComposeItem),
      fakeApi(() => rewritten),
      { planId: 'plan-1', choices },
    );

    expect(outlook.recipients.cc[0]?.emailAddress).toBe('pl.support+10050-C@contoso.example');
  });

  it('stops when the host never keeps the tag', async () => {
    const outlook = createOutlookMock({ ...composeToTeamB, quirk: 'strip-tags' });

    const failure = applyDecision(
      createOfficeItemApi(outlook.item as unknown as ComposeItem),
      fakeApi(() => rewritten),
      { planId: 'plan-1', choices },
    );

    await expect(failure).rejects.toMatchObject({ code: 'WORKLINK_REWRITE_NOT_VERIFIED', field: 'cc' });
    expect(outlook.sessionData[SESSION_PLAN_KEY]).toBeUndefined();
  });

  it('stops when the commit drops a recipient', async () => {
    const outlook = createOutlookMock(composeToTeamB);
    const api = fakeApi(() => ({ ...rewritten, recipients: rewritten.recipients.slice(0, 1) }));

    const failure = applyDecision(createOfficeItemApi(outlook.item as unknown as ComposeItem), api, {
      planId: 'plan-1',
      choices,
    });

    await expect(failure).rejects.toMatchObject({ code: 'WORKLINK_PLAN_RECIPIENTS_CHANGED' });
    expect(outlook.recipients.cc[0]?.emailAddress).toBe('pl.support@contoso.example');
  });

  it('lets the send handler allow the next send at once', async () => {
    const outlook = createOutlookMock(composeToTeamB);
    await applyDecision(
      createOfficeItemApi(outlook.item as unknown as ComposeItem),
      fakeApi(() => rewritten),
      { planId: 'plan-1', choices },
    );
    const storage = createMemoryStorage({
      [STORAGE_KEYS.accessToken]: 'token',
      [STORAGE_KEYS.directory]: JSON.stringify({ directory: demoDirectory(), etag: '"v1"', fetchedAt: Date.now() }),
    });
    const fetch = vi.fn(() => Promise.reject(new Error('the handler must not call the backend')));
    const handler = createSendHandler({
      getItem: () => outlook.item as unknown as ComposeItem,
      storage,
      fetch,
      apiOrigin: 'https://localhost:3000',
      clock: { now: () => Date.now() },
      language: () => 'en',
      markdownSupported: () => true,
      log: { info: vi.fn(), warn: vi.fn(), error: vi.fn() },
    });
    const event = outlook.createEvent();

    await handler(event);

    expect(event.completed).toHaveBeenCalledTimes(1);
    expect(event.completed.mock.calls[0]?.[0] as CompletedOptions).toEqual({ allowEvent: true });
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('applyStatusChange', () => {
  function readItem(
    reference: string,
    teamId: number,
    view: 'full' | 'header',
    links: ReadModelItem['links'],
  ): ReadModelItem {
    return {
      detail: {
        reference,
        type: 'ticket',
        teamId,
        status: 'todo',
        view,
        requester: null,
        createdAt: '2026-12-01T10:00:00.000Z',
        messages: [],
        links: links.map(({ reference: linked, teamId: team, view }) => ({ reference: linked, teamId: team, view })),
      },
      links,
    };
  }

  const own = readItem('101202-T', 1, 'full', [{ reference: '10040-C', teamId: 2, view: 'header', status: 'todo' }]);
  const linked = readItem('10040-C', 2, 'header', []);

  it('updates the card and the linked rows', () => {
    const items = [own, linked];

    const updated = applyStatusChange(items, { reference: '10040-c', status: 'done' });

    expect(updated[0]?.links[0]?.status).toBe('done');
    expect(updated[0]?.detail.status).toBe('todo');
    expect(updated[1]?.detail.status).toBe('done');
    expect(items[1]?.detail.status).toBe('todo');
  });

  it('sets a linked status that could not be read', () => {
    const unread = readItem('101202-T', 1, 'full', [{ reference: '10040-C', teamId: 2, view: 'header', status: null }]);

    expect(applyStatusChange([unread], { reference: '10040-C', status: 'waiting' })[0]?.links[0]?.status).toBe(
      'waiting',
    );
  });

  it('keeps the same array when nothing changes', () => {
    const items = [own, linked];

    expect(applyStatusChange(items, { reference: '999999-T', status: 'done' })).toBe(items);
    expect(applyStatusChange(items, { reference: '101202-T', status: 'todo' })).toBe(items);
  });
});

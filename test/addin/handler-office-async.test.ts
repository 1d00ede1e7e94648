import { describe, expect, it } from 'vitest';
import {
  OfficeAsyncError,
  callOffice,
  createLimiter,
  createOfficeItemApi,
} from '../../src/addin/shared/office-async.js';
import type { ComposeItem } from '../../src/addin/shared/office-async.js';
import { createOutlookMock } from '../support/office-outlook-mock.js';

describe('callOffice', () => {
  it('resolves with the value on success', async () => {
    const value = await callOffice<string>('subject.getAsync', (callback) =>
      callback({ status: 'succeeded', value: 'Invoice 4471' }),
    );

    expect(value).toBe('Invoice 4471');
  });

  it('rejects with a typed error on failure', async () => {
    const failing = callOffice<void>('to.setAsync', (callback) =>
      callback({
        status: 'failed',
        value: undefined,
        error: { name: 'NumberOfRecipientsExceeded', message: 'Too many recipients.' },
      }),
    );

    const error = await failing.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OfficeAsyncError);
    expect((error as OfficeAsyncError).code).toBe('WORKLINK_OFFICE_CALL_FAILED');
    expect((error as OfficeAsyncError).operation).toBe('to.setAsync');
    expect((error as OfficeAsyncError).officeErrorName).toBe('NumberOfRecipientsExceeded');
    expect((error as Error).message).toContain('Too many recipients.');
  });

  it('rejects when the call throws', async () => {
    const error = await callOffice('cc.getAsync', () => {
      throw new TypeError('item.cc is undefined');
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OfficeAsyncError);
    expect((error as Error).message).toContain('item.cc is undefined');
  });
});

describe('createLimiter', () => {
  it('keeps at most three tasks running', async () => {
    const limit = createLimiter(3);
    let running = 0;
    let maxRunning = 0;
    const task = (index: number) => async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running -= 1;
      return index;
    };

    const results = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((index) => limit(task(index))));

    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(maxRunning).toBe(3);
  });

  it('frees a slot after a failure', async () => {
    const limit = createLimiter(1);

    const first = limit(() => Promise.reject(new Error('first failed')));
    const second = limit(() => Promise.resolve('second ran'));

    await expect(first).rejects.toThrow('first failed');
    await expect(second).resolves.toBe('second ran');
  });

  it('frees a slot after a synchronous throw', async () => {
    const limit = createLimiter(1);

    const first = limit(() => {
      throw new Error('thrown');
    });
    const second = limit(() => Promise.resolve('second ran'));

    await expect(first).rejects.toThrow('thrown');
    await expect(second).resolves.toBe('second ran');
  });
});

describe('createOfficeItemApi', () => {
  it('reads an empty session value as null', async () => {
    const outlook = createOutlookMock();
    const api = createOfficeItemApi(outlook.item as unknown as ComposeItem);

    await expect(api.getSessionValue('worklink.plan')).rejects.toBeInstanceOf(OfficeAsyncError);
    outlook.sessionData['worklink.plan'] = '';
    await expect(api.getSessionValue('worklink.plan')).resolves.toBeNull();
  });

  it('returns null without sessionData', async () => {
    const item = { ...(createOutlookMock().item as unknown as ComposeItem), sessionData: undefined };
    const api = createOfficeItemApi(item);

    await expect(api.getSessionValue('worklink.plan')).resolves.toBeNull();
    await expect(api.setSessionValue('worklink.plan', '{}')).rejects.toThrow('Mailbox 1.11');
  });

  it('rejects headers without internetHeaders', async () => {
    const item = { ...(createOutlookMock().item as unknown as ComposeItem), internetHeaders: undefined };
    const api = createOfficeItemApi(item);

    await expect(api.setInternetHeaders({ 'X-Worklink-Plan': 'plan-1' })).rejects.toThrow('Mailbox 1.8');
  });

  it('sets headers and session values', async () => {
    const outlook = createOutlookMock();
    const api = createOfficeItemApi(outlook.item as unknown as ComposeItem);

    await api.setInternetHeaders({ 'X-Worklink-Plan': 'plan-1' });
    await api.setSessionValue('worklink.plan', '{"planId":"plan-1"}');

    expect(outlook.internetHeaders).toEqual({ 'X-Worklink-Plan': 'plan-1' });
    await expect(api.getSessionValue('worklink.plan')).resolves.toBe('{"planId":"plan-1"}');
  });

  it('reads no conversation id as null', () => {
    const outlook = createOutlookMock({ conversationId: null });
    const api = createOfficeItemApi(outlook.item as unknown as ComposeItem);

    expect(api.conversationId()).toBeNull();
  });

  it('reads recipients through the callback API', async () => {
    const outlook = createOutlookMock({ to: [{ emailAddress: 'ops@northwind.example', displayName: 'Ops' }] });
    const api = createOfficeItemApi(outlook.item as unknown as ComposeItem);

    await expect(api.getRecipients('to')).resolves.toEqual([
      { emailAddress: 'ops@northwind.example', displayName: 'Ops' },
    ]);
    await expect(api.getRecipients('bcc')).resolves.toEqual([]);
  });
});

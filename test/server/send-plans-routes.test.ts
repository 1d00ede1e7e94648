import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommitResponse, SendPlanResponse } from '../../src/core/api-types.js';
import { buildApp } from '../../src/server/app.js';
import { EventBus } from '../../src/server/notifications/bus.js';
import { seedDemo } from '../../src/server/seed/demo.js';
import { availableDialects, createTestDatabase } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';
import { createTestApp, testConfig } from '../support/app.js';
import type { TestApp } from '../support/app.js';

describe.each(await availableDialects())('send plan routes on %s', (dialect) => {
  let testApp: TestApp;
  let ukToken: string;
  let plToken: string;
  /** Demo ticket of Team A, linked to `invoice`. */
  let delivery: string;
  /** Demo case of Team B. */
  let invoice: string;

  beforeAll(async () => {
    testApp = await createTestApp(dialect, { seed: 'demo' });
    ukToken = await testApp.tokenFor('uk.agent@contoso.example');
    plToken = await testApp.tokenFor('pl.agent@contoso.example');
    const items = await testApp.database.db.selectFrom('work_items').select(['reference', 'title']).execute();
    delivery = items.find((item) => item.title.startsWith('Delivery'))?.reference ?? '';
    invoice = items.find((item) => item.title.startsWith('Invoice'))?.reference ?? '';
  });

  afterAll(async () => {
    await testApp.close();
  });

  function post(url: string, token: string | undefined, payload: unknown) {
    const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
    return testApp.app.inject({ method: 'POST', url, headers, payload: payload as object });
  }

  function postInPolish(url: string, token: string, payload: unknown) {
    const headers = { authorization: `Bearer ${token}`, 'accept-language': 'pl' };
    return testApp.app.inject({ method: 'POST', url, headers, payload: payload as object });
  }

  /** Plans a message to Team B's mailbox from Team A's delivery ticket, which needs one decision. */
  async function planToTeamB(): Promise<SendPlanResponse> {
    const planned = await post('/api/v1/send-plans', ukToken, {
      subject: 'Late delivery',
      currentReference: delivery,
      recipients: [{ field: 'to', emailAddress: 'pl.support@contoso.example', displayName: 'Wsparcie PL' }],
    });
    expect(planned.statusCode).toBe(201);
    return planned.json() as SendPlanResponse;
  }

  const recipients = [
    { field: 'to', emailAddress: 'orders@fabrikam.example', displayName: 'Fabrikam Orders' },
    { field: 'cc', emailAddress: 'wsparcie.pl@contoso.example', displayName: 'Wsparcie PL' },
    { field: 'cc', emailAddress: 'uk.support@contoso.example', displayName: 'UK Support' },
    { field: 'bcc', emailAddress: 'legal@contoso.example', displayName: 'Legal' },
  ];

  it('requires a token', async () => {
    const response = await post('/api/v1/send-plans', undefined, { subject: 'x', recipients: [] });

    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'WORKLINK_AUTH_MISSING' });
  });

  it('plans, shares and repeats the commit', async () => {
    const planned = await post('/api/v1/send-plans', ukToken, {
      subject: 'RE: Delivery of order 4471 is late',
      conversationId: 'route-conversation',
      currentReference: delivery,
      recipients,
    });
    expect(planned.statusCode).toBe(201);
    const plan = planned.json() as SendPlanResponse;
    expect(plan.recipients.map((recipient) => recipient.class)).toEqual([
      'external',
      'connected-mailbox',
      'own-mailbox',
      'internal',
    ]);
    expect(plan).toMatchObject({ currentReference: delivery, decisionNeeded: true, needsCurrentItem: false });
    expect(plan.decisions).toHaveLength(1);
    expect(plan.decisions[0]).toMatchObject({
      mailbox: 'pl.support@contoso.example',
      teamName: 'Team B (PL)',
      defaultChoice: { action: 'share', reference: invoice },
    });
    expect(plan.decisions[0]?.linkedItems).toEqual([expect.objectContaining({ reference: invoice, view: 'header' })]);
    expect(plan.decisions[0]?.linkedItems[0]).not.toHaveProperty('title');
    expect(plan.decisions[0]?.form.map((field) => field.name)).toEqual(['entity', 'dueDate']);

    const committed = await post(`/api/v1/send-plans/${plan.id}/commit`, ukToken, {
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'share', reference: invoice }],
    });
    expect(committed.statusCode).toBe(200);
    const answer = committed.json() as CommitResponse;
    expect(answer).toEqual({
      recipients: [
        { field: 'to', emailAddress: 'orders@fabrikam.example', displayName: 'Fabrikam Orders' },
        { field: 'cc', emailAddress: `wsparcie.pl+${invoice}@contoso.example`, displayName: 'Wsparcie PL' },
        { field: 'cc', emailAddress: `uk.support+${delivery}@contoso.example`, displayName: 'UK Support' },
        { field: 'bcc', emailAddress: 'legal@contoso.example', displayName: 'Legal' },
      ],
      headers: { 'X-Worklink-Plan': plan.id },
      notices: [],
      createdReferences: [],
    });

    const repeated = await post(`/api/v1/send-plans/${plan.id}/commit`, ukToken, { choices: [] });
    expect(repeated.statusCode).toBe(200);
    expect(repeated.json()).toEqual(answer);

    const foreign = await post(`/api/v1/send-plans/${plan.id}/commit`, plToken, { choices: [] });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toMatchObject({ code: 'WORKLINK_SEND_PLAN_NOT_FOUND' });
  });

  it('creates one item for 50 concurrent commits', async () => {
    const planned = await post('/api/v1/send-plans', ukToken, {
      subject: 'Late delivery',
      currentReference: delivery,
      recipients: [{ field: 'to', emailAddress: 'pl.support@contoso.example', displayName: 'Wsparcie PL' }],
    });
    const plan = planned.json() as SendPlanResponse;
    const countBefore = await testApp.database.db.selectFrom('work_items').select('id').execute();

    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        post(`/api/v1/send-plans/${plan.id}/commit`, ukToken, {
          choices: [{ mailbox: 'pl.support@contoso.example', action: 'create', fields: { entity: 'Contoso UK' } }],
        }),
      ),
    );

    expect(responses.map((response) => response.statusCode)).toEqual(Array.from({ length: 50 }, () => 200));
    const bodies = responses.map((response) => response.json() as CommitResponse);
    expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1);
    expect(bodies[0]?.createdReferences).toHaveLength(1);
    const countAfter = await testApp.database.db.selectFrom('work_items').select('id').execute();
    expect(countAfter.length).toBe(countBefore.length + 1);
  });

  it('names form errors by field', async () => {
    const planned = await post('/api/v1/send-plans', ukToken, {
      subject: 'Late delivery',
      currentReference: delivery,
      recipients: [{ field: 'to', emailAddress: 'pl.support@contoso.example', displayName: 'Wsparcie PL' }],
    });
    const plan = planned.json() as SendPlanResponse;

    const response = await post(`/api/v1/send-plans/${plan.id}/commit`, ukToken, {
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'create', fields: { dueDate: '31.12.2026' } }],
    });

    expect(response.statusCode).toBe(400);
    const body = response.json() as { code: string; message: string; details: Array<{ field: string }> };
    expect(body.code).toBe('WORKLINK_FIELDS_INVALID');
    expect(body.details.map((detail) => detail.field)).toEqual(['entity', 'dueDate']);
    expect(body.message).toContain('31.12.2026');
  });

  it('lists form errors in Polish', async () => {
    const plan = await planToTeamB();
    const commit = {
      choices: [{ mailbox: 'pl.support@contoso.example', action: 'create', fields: { dueDate: '31.12.2026' } }],
    };

    const english = await post(`/api/v1/send-plans/${plan.id}/commit`, ukToken, commit);
    const polish = await postInPolish(`/api/v1/send-plans/${plan.id}/commit`, ukToken, commit);

    expect(english.statusCode).toBe(400);
    expect(english.json()).toEqual({
      code: 'WORKLINK_FIELDS_INVALID',
      message:
        'Invalid creation form values: field "entity" for pl.support@contoso.example is required; ' +
        'field "dueDate" for pl.support@contoso.example has "31.12.2026", which is not a date of the form YYYY-MM-DD. ' +
        'Correct them and commit again.',
      details: [
        { mailbox: 'pl.support@contoso.example', field: 'entity', problem: 'is required' },
        {
          mailbox: 'pl.support@contoso.example',
          field: 'dueDate',
          problem: 'has "31.12.2026", which is not a date of the form YYYY-MM-DD',
        },
      ],
    });
    expect(polish.statusCode).toBe(400);
    expect(polish.headers['content-language']).toBe('pl');
    expect(polish.json()).toEqual({
      code: 'WORKLINK_FIELDS_INVALID',
      message:
        'Nieprawidłowe wartości formularza tworzenia zgłoszeń: pole "entity" dla skrzynki pl.support@contoso.example jest wymagane; ' +
        'pole "dueDate" dla skrzynki pl.support@contoso.example ma wartość "31.12.2026", która nie jest datą w formacie RRRR-MM-DD. ' +
        'Popraw je i zatwierdź ponownie.',
      details: [
        { mailbox: 'pl.support@contoso.example', field: 'entity', problem: 'jest wymagane' },
        {
          mailbox: 'pl.support@contoso.example',
          field: 'dueDate',
          problem: 'ma wartość "31.12.2026", która nie jest datą w formacie RRRR-MM-DD',
        },
      ],
    });
  });

  it('explains a missing choice in Polish', async () => {
    const plan = await planToTeamB();

    const english = await post(`/api/v1/send-plans/${plan.id}/commit`, ukToken, { choices: [] });
    const polish = await postInPolish(`/api/v1/send-plans/${plan.id}/commit`, ukToken, { choices: [] });

    const details = [{ mailbox: 'pl.support@contoso.example', problem: 'missing' }];
    expect(english.statusCode).toBe(400);
    expect(english.json()).toEqual({
      code: 'WORKLINK_PLAN_CHOICE_INVALID',
      message: 'No choice was given for pl.support@contoso.example: add a choice with action share, create or plain.',
      details,
    });
    expect(polish.statusCode).toBe(400);
    expect(polish.json()).toEqual({
      code: 'WORKLINK_PLAN_CHOICE_INVALID',
      message:
        'Brak wyboru dla skrzynki pl.support@contoso.example: dodaj wybór z polem action o wartości share, create albo plain.',
      details,
    });
  });

  it('explains a choice outside the plan in Polish', async () => {
    const plan = await planToTeamB();
    const commit = { choices: [{ mailbox: 'nobody@contoso.example', action: 'plain' }] };

    const english = await post(`/api/v1/send-plans/${plan.id}/commit`, ukToken, commit);
    const polish = await postInPolish(`/api/v1/send-plans/${plan.id}/commit`, ukToken, commit);

    const details = [{ mailbox: 'nobody@contoso.example', problem: 'not-in-plan' }];
    expect(english.statusCode).toBe(400);
    expect(english.json()).toEqual({
      code: 'WORKLINK_PLAN_CHOICE_INVALID',
      message:
        'Choice for "nobody@contoso.example" names no connected mailbox of another team in this plan: ' +
        'use one of ["pl.support@contoso.example"].',
      details,
    });
    expect(polish.statusCode).toBe(400);
    expect(polish.json()).toEqual({
      code: 'WORKLINK_PLAN_CHOICE_INVALID',
      message:
        'Wybór dla "nobody@contoso.example" nie wskazuje żadnej połączonej skrzynki innego zespołu z tego planu: ' +
        'użyj jednej z ["pl.support@contoso.example"].',
      details,
    });
  });

  it('rejects 501 recipients with 413', async () => {
    const many = Array.from({ length: 501 }, (_, index) => ({
      field: 'to',
      emailAddress: `person${index}@fabrikam.example`,
      displayName: `Person ${index}`,
    }));

    const response = await post('/api/v1/send-plans', ukToken, { subject: 'Newsletter', recipients: many });

    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'WORKLINK_TOO_MANY_RECIPIENTS' });
  });

  it('lists invalid recipients with 400', async () => {
    const response = await post('/api/v1/send-plans', ukToken, {
      subject: 'Hello',
      recipients: [
        { field: 'to', emailAddress: 'fine@fabrikam.example', displayName: 'Fine' },
        { field: 'cc', emailAddress: 'broken@', displayName: 'Broken' },
      ],
    });

    expect(response.statusCode).toBe(400);
    const body = response.json() as { code: string; message: string; details: Array<Record<string, unknown>> };
    expect(body.code).toBe('WORKLINK_INVALID_RECIPIENT');
    expect(body.message).toContain('broken@');
    expect(body.details).toEqual([expect.objectContaining({ index: 1, field: 'cc', emailAddress: 'broken@' })]);
  });

  it('lists invalid recipients in Polish', async () => {
    const request = {
      subject: 'Hello',
      recipients: [
        { field: 'to', emailAddress: 'fine@fabrikam.example', displayName: 'Fine' },
        { field: 'cc', emailAddress: 'broken@', displayName: 'Broken' },
        { field: 'bcc', emailAddress: 'no-at-sign', displayName: 'No At' },
      ],
    };

    const english = await post('/api/v1/send-plans', ukToken, request);
    const polish = await postInPolish('/api/v1/send-plans', ukToken, request);

    expect(english.statusCode).toBe(400);
    expect(english.json().message).toBe(
      '2 recipients have an invalid address: "broken@" (cc), "no-at-sign" (bcc). Correct or remove them and send again.',
    );
    expect(polish.statusCode).toBe(400);
    const body = polish.json() as { code: string; message: string; details: Array<Record<string, unknown>> };
    expect(body.code).toBe('WORKLINK_INVALID_RECIPIENT');
    expect(body.message).toBe(
      '2 adresatów ma nieprawidłowe adresy: "broken@" (cc), "no-at-sign" (bcc). Popraw te adresy albo usuń tych adresatów i wyślij wiadomość ponownie.',
    );
    const englishDetails = english.json().details as Array<Record<string, unknown>>;
    expect(body.details.map(({ message: _message, ...rest }) => rest)).toEqual(
      englishDetails.map(({ message: _message, ...rest }) => rest),
    );
    expect(body.details.map((detail) => detail.code)).toEqual([
      'WORKLINK_DOMAIN_INVALID',
      'WORKLINK_ADDRESS_MISSING_AT',
    ]);
    expect(body.details[1]?.message).toBe('Adres "no-at-sign" nie zawiera znaku "@": wpisz go w postaci nazwa@domena.');
    expect(englishDetails[1]?.message).toBe('Address "no-at-sign" has no "@": write it as local@domain.');
  });

  it('names one invalid recipient in Polish', async () => {
    const polish = await postInPolish('/api/v1/send-plans', ukToken, {
      subject: 'Hello',
      recipients: [{ field: 'cc', emailAddress: 'broken@', displayName: 'Broken' }],
    });

    expect(polish.statusCode).toBe(400);
    expect(polish.json().message).toBe(
      '1 adresat ma nieprawidłowy adres: "broken@" (cc). Popraw ten adres albo usuń tego adresata i wyślij wiadomość ponownie.',
    );
  });

  it('explains an unknown current reference in Polish', async () => {
    const response = await postInPolish('/api/v1/send-plans', ukToken, {
      subject: 'Hello',
      currentReference: '99999-C',
      recipients: [],
    });

    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      code: 'WORKLINK_WORK_ITEM_NOT_FOUND',
      message: 'Nie znaleziono zgłoszenia 99999-C: sprawdź numer albo wybierz jedno ze zgłoszeń swojego zespołu.',
      details: [{ reference: '99999-C' }],
    });
  });

  it('rejects an unknown current reference with 404', async () => {
    const response = await post('/api/v1/send-plans', ukToken, {
      subject: 'Hello',
      currentReference: '99999-C',
      recipients: [],
    });

    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'WORKLINK_WORK_ITEM_NOT_FOUND' });
    expect((response.json() as { message: string }).message).toContain('99999-C');
  });

  it('rejects unknown request fields', async () => {
    const response = await post('/api/v1/send-plans', ukToken, { subject: 'Hello', recipients: [], urgent: true });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'WORKLINK_UNKNOWN_FIELD' });
  });

  it('rejects an unknown plan with 404', async () => {
    const response = await post('/api/v1/send-plans/5b1f0a39-1f5e-4b59-9a53-3f1f0c1f0000/commit', ukToken, {
      choices: [],
    });

    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'WORKLINK_SEND_PLAN_NOT_FOUND' });
  });

  it('documents both routes in OpenAPI', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const paths = (response.json() as { paths: Record<string, unknown> }).paths;

    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining(['/api/v1/send-plans', '/api/v1/send-plans/{id}/commit']),
    );
  });
});

describe.each(await availableDialects())('send plan events on %s', (dialect) => {
  let app: FastifyInstance;
  let database: TestDatabase;
  let dataDir: string;
  const events = new EventBus();

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worklink-send-plan-events-'));
    database = await createTestDatabase(dialect);
    await seedDemo(database.db);
    app = await buildApp({ config: testConfig(dataDir, { databaseUrl: database.url }), database, events });
  });

  afterAll(async () => {
    await app.close();
    await database.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('publishes the created item and link', async () => {
    const seen: string[] = [];
    events.on('work-item', (payload) => seen.push(`work-item ${payload.reference}`));
    events.on('link', (payload) => seen.push(`link ${payload.origin}`));
    const tokenResponse = await app.inject({
      method: 'POST',
      url: '/api/v1/dev/tokens',
      payload: { email: 'uk.agent@contoso.example' },
    });
    const headers = { authorization: `Bearer ${(tokenResponse.json() as { accessToken: string }).accessToken}` };
    const delivery = await database.db
      .selectFrom('work_items')
      .select('reference')
      .where('title', 'like', 'Delivery%')
      .executeTakeFirstOrThrow();

    const planned = await app.inject({
      method: 'POST',
      url: '/api/v1/send-plans',
      headers,
      payload: {
        subject: 'Late delivery',
        currentReference: delivery.reference,
        recipients: [{ field: 'to', emailAddress: 'pl.support@contoso.example', displayName: 'Wsparcie PL' }],
      },
    });
    const plan = planned.json() as SendPlanResponse;
    const committed = await app.inject({
      method: 'POST',
      url: `/api/v1/send-plans/${plan.id}/commit`,
      headers,
      payload: {
        choices: [{ mailbox: 'pl.support@contoso.example', action: 'create', fields: { entity: 'Contoso UK' } }],
      },
    });

    expect(committed.statusCode).toBe(200);
    const created = (committed.json() as CommitResponse).createdReferences[0];
    expect(seen).toEqual([`work-item ${created}`, `link send-plan:${plan.id}`]);
  });
});

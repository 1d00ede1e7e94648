import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { WorklinkError } from '../../errors.js';

/**
 * The external request of the mail fixtures, which the simulator delivers so that a newcomer
 * has a message to reply to. This file runs four levels below the checkout's root, from `src`
 * or from `dist`.
 */
const samplePath = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../test/fixtures/mail/01-external-request.eml',
);

/** Sender and recipient of the sample, as its headers name them. */
export const sampleEnvelope = { from: 'billing@fabrikam.example', to: ['uk.support@contoso.example'] };

/**
 * Reads the sample request and gives it a new Message-ID and Date, so that each delivery is a
 * new message rather than a repeat that the server would file only once.
 * Throws `WORKLINK_DEV_SIMULATOR_UNAVAILABLE` when the fixture is missing from the checkout.
 */
export async function readSampleRequest(now: Date = new Date()): Promise<string> {
  let raw: string;
  try {
    raw = await fs.readFile(samplePath, 'utf8');
  } catch (error) {
    const reason = (error as Error).message;
    throw new WorklinkError('WORKLINK_DEV_SIMULATOR_UNAVAILABLE', {
      en: `The sample message ${samplePath} could not be read (${reason}): run the simulator from a full checkout.`,
      pl: `Nie udało się odczytać przykładowej wiadomości ${samplePath} (${reason}): uruchom symulator z pełnej kopii repozytorium.`,
    });
  }
  const messageId = `<sample.${randomUUID()}@mail.fabrikam.example>`;
  const date = now.toUTCString().replace('GMT', '+0000');
  return raw
    .replace(/^Message-ID:.*$/im, `Message-ID: ${messageId}`)
    .replace(/^Date:.*$/im, `Date: ${date}`)
    .replace(/\r?\n/g, '\r\n');
}

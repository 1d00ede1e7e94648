import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAddressList } from '../../src/core/address.js';
import { decodePlusAddress } from '../../src/core/plus-address.js';
import { findReferencesInSubject } from '../../src/core/reference.js';
import { normalizeSubject } from '../../src/core/subject.js';

const mailDirectory = join(import.meta.dirname, '..', 'fixtures', 'mail');

/** Returns the raw value of each header named `name`, folding line breaks kept. */
function headerValues(raw: string, name: string): string[] {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const lines = head.split(/\r?\n(?![ \t])/);
  const prefix = name.toLowerCase() + ':';

  return lines.filter((line) => line.toLowerCase().startsWith(prefix)).map((line) => line.slice(prefix.length));
}

function readFixture(file: string): string {
  return readFileSync(join(mailDirectory, file), 'utf8')
    .replace(/\{\{REF_A\}\}/g, '101203-T')
    .replace(/\{\{REF_B\}\}/g, '10040-C')
    .replace(/\{\{PLAN_ID\}\}/g, 'plan-1');
}

const fixtures = readdirSync(mailDirectory).filter((file) => file.endsWith('.eml'));

describe('mail fixture headers', () => {
  it.each(fixtures)('parses every address header of %s', (file) => {
    const raw = readFixture(file);

    for (const name of ['From', 'To', 'Cc']) {
      for (const value of headerValues(raw, name)) {
        const result = parseAddressList(value);
        const addresses = result.ok ? result.value : [];
        expect(result.ok, `${name} of ${file}: ${result.ok ? '' : result.error.message}`).toBe(true);
        expect(addresses.length).toBeGreaterThan(0);
      }
    }
  });

  it('reads the folded Cc of the agent reply', () => {
    const cc = headerValues(readFixture('02-agent-reply-linked.eml'), 'Cc')[0] ?? '';

    expect(parseAddressList(cc)).toEqual({
      ok: true,
      value: [
        { name: 'UK Support', address: 'uk.support+101203-T@contoso.example' },
        { name: 'Wsparcie PL', address: 'pl.support+10040-C@contoso.example' },
        { name: 'Legal', address: 'legal@contoso.example' },
      ],
    });
  });

  it('decodes the plus addresses of the reply-all', () => {
    const cc = headerValues(readFixture('03-external-reply-all.eml'), 'Cc')[0] ?? '';
    const parsed = parseAddressList(cc);
    const decoded = (parsed.ok ? parsed.value : []).map((entry) => decodePlusAddress(entry.address));

    expect(decoded).toEqual([
      { ok: true, value: { mailbox: 'uk.support@contoso.example', reference: '101203-T' } },
      { ok: true, value: { mailbox: 'pl.support@contoso.example', reference: '10040-C' } },
      { ok: true, value: { mailbox: 'legal@contoso.example', reference: null } },
    ]);
  });

  it('reads a quoted display name next to a bare address', () => {
    const to = headerValues(readFixture('06-new-to-two-mailboxes.eml'), 'To')[0] ?? '';

    expect(parseAddressList(to)).toEqual({
      ok: true,
      value: [
        { name: '', address: 'uk.support@contoso.example' },
        { name: 'Wsparcie PL', address: 'pl.support@contoso.example' },
      ],
    });
  });

  it('keeps an RFC 2047 encoded display name as written', () => {
    const to = headerValues(readFixture('07-polish-encoded-alias.eml'), 'To')[0] ?? '';

    expect(parseAddressList(to)).toEqual({
      ok: true,
      value: [{ name: '=?UTF-8?Q?Wsparcie_Polska?=', address: 'wsparcie.pl@contoso.example' }],
    });
  });

  it('normalizes the subjects of the thread', () => {
    const subjects = ['01-external-request.eml', '02-agent-reply-linked.eml', '03-external-reply-all.eml'].map((file) =>
      normalizeSubject(headerValues(readFixture(file), 'Subject')[0] ?? ''),
    );

    expect(subjects).toEqual([
      'Invoice 2024/11/0457 - payment status (UK and PL entities)',
      'Invoice 2024/11/0457 - payment status (UK and PL entities)',
      'Invoice 2024/11/0457 - payment status (UK and PL entities)',
    ]);
    expect(findReferencesInSubject(subjects[0] ?? '')).toEqual([]);
  });
});

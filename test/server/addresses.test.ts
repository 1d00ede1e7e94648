import { describe, expect, it } from 'vitest';
import { WorklinkError } from '../../src/server/errors.js';
import { maskAddress, normalizeAddress } from '../../src/server/repositories/addresses.js';
import { findMailboxByAddress } from '../../src/server/repositories/mailboxes.js';
import type { MailboxEntry } from '../../src/server/repositories/mailboxes.js';

function invalidAddressError(address: string, field: string): WorklinkError {
  try {
    normalizeAddress(address, field);
  } catch (error) {
    if (error instanceof WorklinkError) {
      return error;
    }
    throw error;
  }
  throw new Error(`normalizeAddress accepted ${JSON.stringify(address)}`);
}

const support: MailboxEntry = {
  id: 1,
  address: 'pl.support@contoso.example',
  aliases: ['wsparcie.pl@contoso.example'],
  teamId: 2,
  teamName: 'Team B',
  defaultType: 'case',
  displayName: 'Wsparcie PL',
};

describe('normalizeAddress', () => {
  it.each([
    [' UK.Agent@Contoso.Example ', 'uk.agent@contoso.example'],
    ['jan@bücher.example', 'jan@xn--bcher-kva.example'],
    ['uk.support+old@contoso.example', 'uk.support+old@contoso.example'],
  ])('normalizes %j', (input, expected) => {
    expect(normalizeAddress(input, 'email')).toBe(expected);
  });

  it.each([
    ['not-an-address', 'has no "@"'],
    ['a..b@contoso.example', 'two dots in a row'],
    ['agent@contoso', 'domain without a dot'],
    ['Agent <agent@contoso.example>', 'not a single bare address'],
  ])('rejects %j naming the field', (input, coreMessage) => {
    const error = invalidAddressError(input, 'aliases[1]');

    expect(error.code).toBe('WORKLINK_INVALID_ADDRESS');
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain('aliases[1]');
    expect(error.message).toContain(JSON.stringify(input));
    expect(error.message).toContain(coreMessage);
  });

  it('masks the local part', () => {
    expect(maskAddress('uk.agent@contoso.example')).toBe('u***@contoso.example');
  });
});

describe('findMailboxByAddress', () => {
  it('finds a tagged alias in any case', () => {
    expect(findMailboxByAddress([support], ' Wsparcie.PL+10040-C@Contoso.Example ')?.id).toBe(1);
  });

  it('strips the tag at the configured separator', () => {
    expect(findMailboxByAddress([support], 'pl.support=10040-C@contoso.example', '=')?.id).toBe(1);
    expect(findMailboxByAddress([support], 'pl.support=10040-C@contoso.example')).toBeUndefined();
  });

  it('reads a needlessly quoted local part', () => {
    expect(findMailboxByAddress([support], '"pl.support+x"@contoso.example')?.id).toBe(1);
  });

  it('takes no tag from a quoted local part', () => {
    expect(findMailboxByAddress([support], '"pl.support +x"@contoso.example')).toBeUndefined();
  });

  it('finds an IDN domain in either form', () => {
    const idn: MailboxEntry = { ...support, id: 3, address: 'pomoc@xn--bcher-kva.example', aliases: [] };
    expect(findMailboxByAddress([idn], 'pomoc+10040-C@bücher.example')?.id).toBe(3);
  });
});

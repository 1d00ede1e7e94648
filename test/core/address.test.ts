import { describe, expect, it } from 'vitest';
import {
  domainOf,
  normalizeAddress,
  parseAddress,
  parseAddressList,
  sameAddress,
  utf8Length,
} from '../../src/core/address.js';

describe('parseAddressList', () => {
  it.each([
    ['', []],
    ['   ', []],
    ['jane@example.com', [{ name: '', address: 'jane@example.com' }]],
    ['<jane@example.com>', [{ name: '', address: 'jane@example.com' }]],
    ['Jane Roe <Jane.Roe@Example.COM>', [{ name: 'Jane Roe', address: 'Jane.Roe@example.com' }]],
    ['"Doe, John" <john@x.example>', [{ name: 'Doe, John', address: 'john@x.example' }]],
    ['"Say \\"hi\\"" <a@x.example>', [{ name: 'Say "hi"', address: 'a@x.example' }]],
    ['"john doe"@x.example', [{ name: '', address: '"john doe"@x.example' }]],
    ['"john"@x.example', [{ name: '', address: 'john@x.example' }]],
    ['"a\\"b"@x.example', [{ name: '', address: '"a\\"b"@x.example' }]],
    ['John Q. Public <jqp@x.example>', [{ name: 'John Q. Public', address: 'jqp@x.example' }]],
    ['a@x.example (Ann (the boss))', [{ name: '', address: 'a@x.example' }]],
    ['Ann (comment) Lee <a@x.example>', [{ name: 'Ann Lee', address: 'a@x.example' }]],
    [
      'a@x.example,b@y.example',
      [
        { name: '', address: 'a@x.example' },
        { name: '', address: 'b@y.example' },
      ],
    ],
    [
      'a@x.example; b@y.example',
      [
        { name: '', address: 'a@x.example' },
        { name: '', address: 'b@y.example' },
      ],
    ],
    [
      'a@x.example,, ,b@y.example',
      [
        { name: '', address: 'a@x.example' },
        { name: '', address: 'b@y.example' },
      ],
    ],
    ['<@relay.example:john@x.example>', [{ name: '', address: 'john@x.example' }]],
    ['üser@Ü.example', [{ name: '', address: 'üser@xn--tda.example' }]],
    ['ops@Bücher.Example', [{ name: '', address: 'ops@xn--bcher-kva.example' }]],
    ['root@localhost', [{ name: '', address: 'root@localhost' }]],
    ['a@[192.0.2.1]', [{ name: '', address: 'a@[192.0.2.1]' }]],
    ['a@[ipv6:2001:DB8::1]', [{ name: '', address: 'a@[IPv6:2001:db8::1]' }]],
    ['undisclosed-recipients:;', []],
    ['a@x.example\r\n', [{ name: '', address: 'a@x.example' }]],
  ])('parses %j', (input, expected) => {
    expect(parseAddressList(input)).toEqual({ ok: true, value: expected });
  });

  it('flattens groups and names the group', () => {
    const result = parseAddressList('Team: a@x.example, "B" <b@y.example>;, c@z.example');

    expect(result).toEqual({
      ok: true,
      value: [
        { name: '', address: 'a@x.example', group: 'Team' },
        { name: 'B', address: 'b@y.example', group: 'Team' },
        { name: '', address: 'c@z.example' },
      ],
    });
  });

  it('unfolds CRLF followed by whitespace', () => {
    const header =
      'UK Support <uk.support+101203-T@contoso.example>,\r\n "Wsparcie PL"\r\n\t<pl.support+10040-C@contoso.example>,\r\n Legal <legal@contoso.example>';

    const result = parseAddressList(header);

    expect(result).toEqual({
      ok: true,
      value: [
        { name: 'UK Support', address: 'uk.support+101203-T@contoso.example' },
        { name: 'Wsparcie PL', address: 'pl.support+10040-C@contoso.example' },
        { name: 'Legal', address: 'legal@contoso.example' },
      ],
    });
  });

  it.each([
    ['x@', 'WORKLINK_DOMAIN_INVALID'],
    ['x', 'WORKLINK_ADDRESS_MISSING_AT'],
    ['Jane <jane>', 'WORKLINK_ADDRESS_MISSING_AT'],
    ['@x.example', 'WORKLINK_LOCAL_PART_INVALID'],
    ['john doe@x.example', 'WORKLINK_LOCAL_PART_INVALID'],
    ['.a@x.example', 'WORKLINK_LOCAL_PART_INVALID'],
    ['a..b@x.example', 'WORKLINK_LOCAL_PART_INVALID'],
    ['""@x.example', 'WORKLINK_LOCAL_PART_INVALID'],
    ['a@x', 'WORKLINK_DOMAIN_INVALID'],
    ['a@x.example.', 'WORKLINK_DOMAIN_INVALID'],
    ['a@x..example', 'WORKLINK_DOMAIN_INVALID'],
    ['a@-x.example', 'WORKLINK_DOMAIN_INVALID'],
    ['a@x_y.example', 'WORKLINK_DOMAIN_INVALID'],
    ['a@[300.1.1.1]', 'WORKLINK_DOMAIN_INVALID'],
    ['a@[host]', 'WORKLINK_DOMAIN_INVALID'],
    ['a@' + 'd'.repeat(64) + '.example', 'WORKLINK_DOMAIN_INVALID'],
    ['"unclosed <a@x.example>', 'WORKLINK_ADDRESS_SYNTAX'],
    ['(unclosed a@x.example', 'WORKLINK_ADDRESS_SYNTAX'],
    ['Jane <a@x.example', 'WORKLINK_ADDRESS_SYNTAX'],
    ['Jane <a@x.example, Bob <b@y.example>', 'WORKLINK_ADDRESS_SYNTAX'],
    ['a@x.example b@y.example', 'WORKLINK_ADDRESS_SYNTAX'],
    ['Team: a@x.example', 'WORKLINK_ADDRESS_SYNTAX'],
    ['A: B: c@x.example;;', 'WORKLINK_ADDRESS_SYNTAX'],
    ['Jane <>', 'WORKLINK_ADDRESS_EMPTY'],
    ['a@x.example\r\nBcc: b@y.example', 'WORKLINK_ADDRESS_CONTROL_CHARACTER'],
    ['"a\u0000"@x.example', 'WORKLINK_ADDRESS_CONTROL_CHARACTER'],
    ['a\\b@x.example', 'WORKLINK_ADDRESS_SYNTAX'],
  ])('rejects %j with %s', (input, code) => {
    const result = parseAddressList(input);

    expect(result.ok).toBe(false);
    expect(result.ok ? null : result.error.code).toBe(code);
    expect(result.ok ? null : result.error.value).toBeTypeOf('string');
  });

  it('accepts over-long addresses from headers', () => {
    const verp = 'bounces+' + 'a'.repeat(80) + '=fabrikam.example@lists.example';

    const result = parseAddressList('ops@x.example, ' + verp);

    expect(result).toEqual({
      ok: true,
      value: [
        { name: '', address: 'ops@x.example' },
        { name: '', address: verp },
      ],
    });
  });

  it('names the value and the fix in the message', () => {
    const result = parseAddressList('x@');

    expect(result.ok ? '' : result.error.message).toBe(
      'Address "x@" has no domain after "@": write it as local@domain.',
    );
  });
});

describe('parseAddress', () => {
  it('parses one mailbox with display name', () => {
    expect(parseAddress('"Wsparcie PL" <pl.support+10040-C@contoso.example>')).toEqual({
      ok: true,
      value: { name: 'Wsparcie PL', address: 'pl.support+10040-C@contoso.example' },
    });
  });

  it.each([
    ['', 'WORKLINK_ADDRESS_EMPTY'],
    ['a@x.example, b@x.example', 'WORKLINK_ADDRESS_NOT_SINGLE'],
    ['Team: a@x.example;', 'WORKLINK_ADDRESS_NOT_SINGLE'],
    ['a@', 'WORKLINK_DOMAIN_INVALID'],
  ])('rejects %j with %s', (input, code) => {
    const result = parseAddress(input);

    expect(result.ok ? null : result.error.code).toBe(code);
  });
});

describe('normalizeAddress', () => {
  it.each([
    [' PL.Support@Contoso.Example ', 'pl.support@contoso.example'],
    ['Pl.Support+10040-C@contoso.example', 'pl.support+10040-c@contoso.example'],
    ['Ops@Bücher.example', 'ops@xn--bcher-kva.example'],
    ['ops@bu\u0308cher.example', 'ops@xn--bcher-kva.example'],
    ['"John Doe"@X.example', '"john doe"@x.example'],
    ['ŁUKASZ@x.example', 'łukasz@x.example'],
  ])('normalizes %j', (input, expected) => {
    expect(normalizeAddress(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'WORKLINK_ADDRESS_EMPTY'],
    ['Jane <a@x.example>', 'WORKLINK_ADDRESS_NOT_SINGLE'],
    ['a@x.example, b@x.example', 'WORKLINK_ADDRESS_NOT_SINGLE'],
    ['nobody', 'WORKLINK_ADDRESS_MISSING_AT'],
    ['a@', 'WORKLINK_DOMAIN_INVALID'],
    ['a'.repeat(65) + '@x.example', 'WORKLINK_LOCAL_PART_TOO_LONG'],
    ['ą'.repeat(33) + '@x.example', 'WORKLINK_LOCAL_PART_TOO_LONG'],
    [
      'a'.repeat(10) +
        '@' +
        'd'.repeat(60) +
        '.' +
        'e'.repeat(60) +
        '.' +
        'f'.repeat(60) +
        '.' +
        'g'.repeat(60) +
        '.example',
      'WORKLINK_ADDRESS_TOO_LONG',
    ],
  ])('rejects %j with %s', (input, code) => {
    const result = normalizeAddress(input);

    expect(result.ok ? null : result.error.code).toBe(code);
  });
});

describe('sameAddress and domainOf', () => {
  it('compares local part and domain case-insensitively', () => {
    expect(sameAddress('PL.Support@Contoso.Example', 'pl.support@contoso.example')).toBe(true);
    expect(sameAddress('a@ü.example', 'A@xn--tda.example')).toBe(true);
  });

  it('tells tagged and untagged addresses apart', () => {
    expect(sameAddress('pl.support+10040-C@contoso.example', 'pl.support@contoso.example')).toBe(false);
  });

  it('is false when either address is invalid', () => {
    expect(sameAddress('x@', 'x@')).toBe(false);
    expect(sameAddress('a@x.example', '')).toBe(false);
  });

  it('returns the normalized domain or null', () => {
    expect(domainOf('Jane@Contoso.Example')).toBe('contoso.example');
    expect(domainOf('jane@Ü.example')).toBe('xn--tda.example');
    expect(domainOf('jane')).toBeNull();
  });
});

describe('utf8Length', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['ł', 2],
    ['€', 3],
    ['😀', 4],
    ['\ud800', 3],
    ['\udc00x', 4],
  ])('counts %j as %i octets', (input, octets) => {
    expect(utf8Length(input)).toBe(octets);
  });

  it('matches Buffer.byteLength on well-formed text', () => {
    const text = 'zażółć gęślą jaźń 😀 €';

    expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
  });
});

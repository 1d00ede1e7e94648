import { describe, expect, it } from 'vitest';
import { detectAutomaticMessage } from '../../../src/server/mail/automatic-message.js';
import { createClientAllowList } from '../../../src/server/mail/client-allow-list.js';
import { sanitizeMessageHtml } from '../../../src/server/mail/sanitize-html.js';
import { extractMessageIds } from '../../../src/server/mail/parse-message.js';

describe('detectAutomaticMessage', () => {
  const automatic: [string, Record<string, string>, string | null | undefined][] = [
    ['auto-replied', { 'auto-submitted': 'auto-replied' }, undefined],
    ['auto-generated with parameter', { 'auto-submitted': 'auto-generated; owner-email="x@y"' }, undefined],
    ['precedence bulk', { precedence: 'Bulk' }, undefined],
    ['precedence list', { precedence: 'list' }, undefined],
    ['exchange suppression header', { 'x-auto-response-suppress': 'All' }, undefined],
    ['null return path header', { 'return-path': '<>' }, undefined],
    ['null envelope sender', {}, ''],
    ['delivery report', { 'content-type': 'multipart/report; report-type=delivery-status' }, undefined],
  ];

  it.each(automatic)('flags %s', (_name, headers, envelopeSender) => {
    expect(detectAutomaticMessage(headers, envelopeSender)).not.toBeNull();
  });

  const personal: [string, Record<string, string>][] = [
    ['no headers', {}],
    ['auto-submitted no', { 'auto-submitted': 'No' }],
    ['precedence first-class', { precedence: 'first-class' }],
    ['ordinary return path', { 'return-path': '<billing@fabrikam.example>' }],
    ['multipart mixed', { 'content-type': 'multipart/mixed; boundary=x' }],
  ];

  it.each(personal)('passes %s', (_name, headers) => {
    expect(detectAutomaticMessage(headers, 'billing@fabrikam.example')).toBeNull();
  });
});

describe('sanitizeMessageHtml', () => {
  it('drops event handlers and javascript links', () => {
    const html = sanitizeMessageHtml('<p onclick="steal()">Hi <a href="javascript:steal()">link</a></p>');

    expect(html).not.toContain('onclick');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('Hi');
  });

  it('drops styles and style attributes', () => {
    const html = sanitizeMessageHtml(
      '<style>body{background:url(https://t.example/a)}</style><p style="background:url(https://t.example/b)">x</p>',
    );

    expect(html).not.toContain('t.example');
    expect(html).toBe('<p>x</p>');
  });

  it('keeps inline images but not remote ones', () => {
    const html = sanitizeMessageHtml(
      '<img src="cid:logo@x"><img src="https://t.example/p.gif"><img src="//t.example/q.gif">',
    );

    expect(html).toBe('<img src="cid:logo@x" />');
  });

  it('keeps remote images when allowed', () => {
    const html = sanitizeMessageHtml('<img src="https://cdn.example/p.png">', { allowRemoteImages: true });

    expect(html).toBe('<img src="https://cdn.example/p.png" />');
  });

  it('opens links in a new context', () => {
    const html = sanitizeMessageHtml('<a href="https://fabrikam.example/invoice">invoice</a>');

    expect(html).toContain('rel="noopener noreferrer"');
    expect(html).toContain('target="_blank"');
  });
});

describe('extractMessageIds', () => {
  it('reads bracketed ids in order', () => {
    expect(extractMessageIds(' <a@x>\r\n <b@y> ')).toEqual(['a@x', 'b@y']);
  });

  it('accepts one id without brackets', () => {
    expect(extractMessageIds(' bare@x ')).toEqual(['bare@x']);
  });

  it('ignores text that is no id', () => {
    expect(extractMessageIds('two words')).toEqual([]);
    expect(extractMessageIds('')).toEqual([]);
  });

  it('ignores ids longer than a header line', () => {
    expect(extractMessageIds(`<${'x'.repeat(1000)}@y>`)).toEqual([]);
  });
});

describe('createClientAllowList', () => {
  it('allows everyone when empty', async () => {
    const list = await createClientAllowList([]);

    expect(list.allows('198.51.100.4')).toBe(true);
  });

  it('matches addresses and subnets', async () => {
    const list = await createClientAllowList(['192.0.2.10', '10.0.0.0/8', '2001:db8::/32']);

    expect(list.allows('192.0.2.10')).toBe(true);
    expect(list.allows('::ffff:192.0.2.10')).toBe(true);
    expect(list.allows('10.20.30.40')).toBe(true);
    expect(list.allows('2001:db8::5')).toBe(true);
    expect(list.allows('192.0.2.11')).toBe(false);
    expect(list.allows('127.0.0.1')).toBe(false);
    expect(list.allows('not an address')).toBe(false);
  });

  it('maps localhost to loopback', async () => {
    const list = await createClientAllowList(['localhost']);

    expect(list.allows('127.0.0.1')).toBe(true);
    expect(list.allows('::1')).toBe(true);
    expect(list.allows('192.0.2.1')).toBe(false);
  });

  it('rejects an invalid prefix length', async () => {
    await expect(createClientAllowList(['10.0.0.0/33'])).rejects.toMatchObject({ code: 'WORKLINK_CONFIG_INVALID' });
    await expect(createClientAllowList(['10.0.0.0/x'])).rejects.toThrow(/10\.0\.0\.0\/x/);
  });
});

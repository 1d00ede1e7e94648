import { describe, expect, it } from 'vitest';
import type { Recipient } from '../../src/core/api-types.js';
import { rewriteRecipients, sameRecipients } from '../../src/core/rewrite.js';
import type { RewriteTarget } from '../../src/core/rewrite.js';

const targets: RewriteTarget[] = [
  { mailbox: 'pl.support@contoso.example', aliases: ['wsparcie.pl@contoso.example'], reference: '10040-c' },
  { mailbox: 'uk.support@contoso.example', aliases: [], reference: '101204-T' },
];

function recipient(field: Recipient['field'], emailAddress: string, displayName = ''): Recipient {
  return { field, emailAddress, displayName };
}

describe('rewriteRecipients', () => {
  it('tags connected mailboxes and keeps everything else', () => {
    const recipients = [
      recipient('to', 'billing@fabrikam.example', 'Fabrikam Billing'),
      recipient('cc', 'PL.Support@Contoso.example', 'Wsparcie PL'),
      recipient('cc', 'legal@contoso.example', 'Legal'),
      recipient('bcc', 'uk.support@contoso.example', 'UK Support'),
    ];

    const result = rewriteRecipients(recipients, targets, '+');

    expect(result.recipients).toEqual([
      recipient('to', 'billing@fabrikam.example', 'Fabrikam Billing'),
      recipient('cc', 'PL.Support+10040-C@contoso.example', 'Wsparcie PL'),
      recipient('cc', 'legal@contoso.example', 'Legal'),
      recipient('bcc', 'uk.support+101204-T@contoso.example', 'UK Support'),
    ]);
    expect(result.notices).toEqual([]);
  });

  it('renames a recipient named after its old address', () => {
    const result = rewriteRecipients(
      [
        recipient('cc', 'pl.support@contoso.example', 'PL.Support@contoso.example '),
        recipient('to', 'uk.support@contoso.example'),
      ],
      targets,
      '+',
    );

    expect(result.recipients).toEqual([
      recipient('cc', 'pl.support+10040-C@contoso.example', 'pl.support+10040-C@contoso.example'),
      recipient('to', 'uk.support+101204-T@contoso.example'),
    ]);
  });

  it('tags an alias with its own local part', () => {
    const result = rewriteRecipients([recipient('to', 'Wsparcie.PL@contoso.example', 'Wsparcie')], targets, '+');

    expect(result.recipients).toEqual([recipient('to', 'Wsparcie.PL+10040-C@contoso.example', 'Wsparcie')]);
  });

  it('keeps a recipient already tagged with a valid reference', () => {
    const recipients = [recipient('cc', 'pl.support+10040-C-A1@contoso.example', 'PL')];

    const result = rewriteRecipients(recipients, targets, '+');

    expect(result.recipients).toEqual(recipients);
    expect(result.recipients[0]).toBe(recipients[0]);
  });

  it('replaces a tag that is not a reference', () => {
    const result = rewriteRecipients([recipient('cc', 'Pl.Support+newsletter@contoso.example', 'PL')], targets, '+');

    expect(result.recipients).toEqual([recipient('cc', 'Pl.Support+10040-C@contoso.example', 'PL')]);
  });

  it('leaves a too long local part unchanged with a notice', () => {
    const long = 'a'.repeat(60) + '@contoso.example';
    const longTargets = [{ mailbox: long, aliases: [], reference: '10040-C' }];

    const result = rewriteRecipients([recipient('to', long, 'Long')], longTargets, '+');

    expect(result.recipients).toEqual([recipient('to', long, 'Long')]);
    expect(result.notices).toHaveLength(1);
    expect(result.notices[0]?.code).toBe('WORKLINK_LOCAL_PART_TOO_LONG');
    expect(result.notices[0]?.emailAddress).toBe(long);
  });

  it('uses the configured separator', () => {
    const result = rewriteRecipients([recipient('to', 'pl.support@contoso.example')], targets, '_');

    expect(result.recipients).toEqual([recipient('to', 'pl.support_10040-C@contoso.example')]);
  });

  it('matches a mailbox whose name contains the separator only exactly', () => {
    const dashed = [{ mailbox: 'pl-support@contoso.example', aliases: [], reference: '10040-C' }];

    const result = rewriteRecipients([recipient('to', 'pl-support@contoso.example')], dashed, '-');

    expect(result.recipients).toEqual([recipient('to', 'pl-support@contoso.example')]);
    expect(result.notices[0]?.code).toBe('WORKLINK_SEPARATOR_IN_LOCAL_PART');
  });

  it('gives a notice for an invalid separator and changes nothing', () => {
    const recipients = [recipient('to', 'pl.support@contoso.example')];

    const result = rewriteRecipients(recipients, targets, '.');

    expect(result.recipients).toEqual(recipients);
    expect(result.notices[0]?.code).toBe('WORKLINK_SEPARATOR_INVALID');
  });

  it('gives a notice for an invalid target reference', () => {
    const result = rewriteRecipients(
      [recipient('to', 'pl.support@contoso.example')],
      [{ mailbox: 'pl.support@contoso.example', aliases: [], reference: 'nope' }],
      '+',
    );

    expect(result.recipients).toEqual([recipient('to', 'pl.support@contoso.example')]);
    expect(result.notices[0]?.code).toBe('WORKLINK_REFERENCE_INVALID');
  });

  it('keeps invalid addresses and unknown fields', () => {
    const unresolved: Recipient = {
      field: 'to',
      emailAddress: 'Wsparcie PL',
      displayName: 'Wsparcie PL',
      recipientType: 'other',
    };

    const result = rewriteRecipients([unresolved], targets, '+');

    expect(result.recipients).toEqual([unresolved]);
    expect(result.notices).toEqual([]);
  });

  it('changes nothing on a second run', () => {
    const recipients = [recipient('to', 'pl.support@contoso.example'), recipient('cc', 'wsparcie.pl@contoso.example')];

    const first = rewriteRecipients(recipients, targets, '+');
    const second = rewriteRecipients(first.recipients, targets, '+');

    expect(second.recipients).toEqual(first.recipients);
  });

  it('does not modify its input', () => {
    const recipients = [recipient('to', 'pl.support@contoso.example')];

    rewriteRecipients(recipients, targets, '+');

    expect(recipients).toEqual([recipient('to', 'pl.support@contoso.example')]);
  });
});

describe('sameRecipients', () => {
  const expected = [
    recipient('to', 'PL.Support+10040-C@contoso.example', 'PL'),
    recipient('cc', 'legal@contoso.example'),
  ];

  it('ignores case and display names', () => {
    const actual = [
      { emailAddress: 'pl.support+10040-c@CONTOSO.example', displayName: 'Wsparcie PL' },
      { emailAddress: 'Legal@contoso.example', displayName: 'Legal' },
    ];

    expect(sameRecipients(expected, actual)).toBe(true);
  });

  it('notices a missing tag', () => {
    const actual = [
      { emailAddress: 'pl.support@contoso.example', displayName: 'PL' },
      { emailAddress: 'legal@contoso.example', displayName: '' },
    ];

    expect(sameRecipients(expected, actual)).toBe(false);
  });

  it('notices another order or length', () => {
    const swapped = [
      { emailAddress: 'legal@contoso.example', displayName: '' },
      { emailAddress: 'pl.support+10040-C@contoso.example', displayName: 'PL' },
    ];

    expect(sameRecipients(expected, swapped)).toBe(false);
    expect(sameRecipients(expected, swapped.slice(0, 1))).toBe(false);
  });

  it('compares unparsable addresses as trimmed lower-case text', () => {
    expect(sameRecipients([recipient('to', 'Wsparcie PL')], [{ emailAddress: ' wsparcie pl ', displayName: '' }])).toBe(
      true,
    );
    expect(sameRecipients([recipient('to', 'Wsparcie PL')], [{ emailAddress: 'Legal', displayName: '' }])).toBe(false);
  });
});

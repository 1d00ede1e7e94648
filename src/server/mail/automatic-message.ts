/** `Precedence` values that mark mail no person wrote (RFC 3834 section 2 lists the convention). */
const automaticPrecedence = new Set(['bulk', 'junk', 'list', 'auto_reply']);

/**
 * Returns why a message counts as automatic (an auto-reply, a bounce or list
 * mail), or null when a person sent it. `headers` has lower-case header
 * names. Automatic mail never creates work items, so an out-of-office reply
 * cannot open a ticket or start a reply loop with another auto-responder.
 */
export function detectAutomaticMessage(headers: Record<string, string>, envelopeSender?: string | null): string | null {
  const autoSubmitted = headers['auto-submitted']?.trim().toLowerCase();
  // RFC 3834: any value other than `no` (parameters such as `; owner-email=` included) marks automatic mail.
  if (autoSubmitted !== undefined && autoSubmitted !== '' && autoSubmitted.split(';')[0]?.trim() !== 'no') {
    return `Auto-Submitted: ${autoSubmitted}`;
  }

  const precedence = headers['precedence']?.trim().toLowerCase();
  if (precedence !== undefined && automaticPrecedence.has(precedence)) {
    return `Precedence: ${precedence}`;
  }

  // Exchange sets X-Auto-Response-Suppress on its own automatic mail (out-of-office, recalls, receipts).
  if (headers['x-auto-response-suppress'] !== undefined) {
    return 'X-Auto-Response-Suppress';
  }

  if (envelopeSender === '' || headers['return-path']?.trim() === '<>') {
    return 'null return path';
  }

  const contentType = headers['content-type']?.trim().toLowerCase();
  if (contentType?.startsWith('multipart/report')) {
    return 'multipart/report';
  }

  return null;
}

/**
 * Error codes that core functions return in `CoreError.code`, with their meaning.
 * The codes are stable: the server passes them on in API errors and notices.
 */
export const coreErrorCodes = {
  WORKLINK_ADDRESS_EMPTY: 'An address was expected, but the input is empty.',
  WORKLINK_ADDRESS_SYNTAX: 'An address list is not valid RFC 5322 syntax (unclosed quote, comment, bracket or group).',
  WORKLINK_ADDRESS_CONTROL_CHARACTER: 'An address contains a line break or another control character.',
  WORKLINK_ADDRESS_MISSING_AT: 'An address has no `@` between local part and domain.',
  WORKLINK_ADDRESS_NOT_SINGLE:
    'Exactly one mailbox was expected, but the input is a list, a group or has a display name.',
  WORKLINK_ADDRESS_TOO_LONG: 'An address is longer than 254 octets (RFC 5321).',
  WORKLINK_LOCAL_PART_INVALID: 'The local part of an address is empty or has misplaced dots or spaces.',
  WORKLINK_LOCAL_PART_TOO_LONG: 'The local part of an address is, or would become, longer than 64 octets (RFC 5321).',
  WORKLINK_LOCAL_PART_QUOTED: 'A quoted local part cannot carry a plus-address tag.',
  WORKLINK_DOMAIN_INVALID: 'The domain of an address is missing or is not a valid host name.',
  WORKLINK_SEPARATOR_INVALID: 'The plus-address separator is not one of the allowed characters.',
  WORKLINK_SEPARATOR_IN_LOCAL_PART: 'The mailbox itself contains the separator, so a tag could not be told apart.',
  WORKLINK_TAG_INVALID: 'A plus-address tag is empty or contains characters a local part cannot carry.',
  WORKLINK_ALREADY_TAGGED: 'The address already carries a different plus-address tag.',
  WORKLINK_REFERENCE_INVALID: 'A text is not a work item reference such as 101203-T, 10040-C or 10040-C-A1.',
} as const;

export type CoreErrorCode = keyof typeof coreErrorCodes;

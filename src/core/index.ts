export type { CoreError, Result } from './result.js';
export { coreErrorCodes } from './error-codes.js';
export type { CoreErrorCode } from './error-codes.js';
export { domainOf, normalizeAddress, parseAddress, parseAddressList, sameAddress, utf8Length } from './address.js';
export type { ParsedAddress } from './address.js';
export { maxAddressOctets, maxLocalPartOctets, parseAddrSpec } from './addr-spec.js';
export type { AddrSpec } from './addr-spec.js';
export {
  allowedSeparators,
  decodePlusAddress,
  defaultSeparator,
  encodePlusAddress,
  splitPlusAddress,
  validateSeparator,
} from './plus-address.js';
export type { DecodedPlusAddress, SplitAddress } from './plus-address.js';
export { findReferencesInSubject, formatReference, parseReference } from './reference.js';
export type { ParsedReference, ReferenceKind, ReferenceParts } from './reference.js';
export { normalizeSubject, subjectPrefixes } from './subject.js';
export { rewriteRecipients, sameRecipients } from './rewrite.js';
export type { RewriteResult, RewriteTarget } from './rewrite.js';
export { negotiateLanguage } from './language.js';
export type { Language, LocalizedText } from './language.js';

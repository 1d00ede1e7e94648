/** Maps a failure of a pane step to the localised message shown to the agent. The console keeps the detail. */
import { BackendError } from '../../shared/backend-client.js';
import { OfficeAsyncError } from '../../shared/office-async.js';
import { t } from '../../shared/strings.js';
import type { Language, StringKey } from '../../shared/strings.js';
import { ApplyError } from '../linking/apply-plan.js';

export interface PaneErrorMessage {
  text: string;
  /** True when signing in again, not retrying, is the fix. */
  signIn: boolean;
}

function backendKey(error: BackendError): StringKey {
  switch (error.code) {
    case 'WORKLINK_NOT_SIGNED_IN':
    case 'WORKLINK_BACKEND_UNAUTHORIZED':
      return 'error.signIn';
    case 'WORKLINK_BACKEND_UNREACHABLE':
      return 'error.unreachable';
    case 'WORKLINK_BACKEND_TIMEOUT':
      return 'error.timeout';
    case 'WORKLINK_BACKEND_INVALID_RESPONSE':
      return 'error.invalidResponse';
    default:
      return error.apiCode === 'WORKLINK_FIELDS_INVALID' ? 'error.fieldsInvalid' : 'error.server';
  }
}

export function describePaneError(error: unknown, language: Language): PaneErrorMessage {
  if (error instanceof BackendError) {
    const key = backendKey(error);
    return { text: t(key, language), signIn: key === 'error.signIn' };
  }
  if (error instanceof ApplyError) {
    if (error.code === 'WORKLINK_REWRITE_NOT_VERIFIED') {
      const field = t(`field.${error.field ?? 'to'}` as StringKey, language);
      return { text: t('error.rewrite', language, { field }), signIn: false };
    }
    return { text: t('error.recipientsChanged', language), signIn: false };
  }
  if (error instanceof OfficeAsyncError) return { text: t('error.office', language), signIn: false };
  return { text: t('error.server', language), signIn: false };
}

import { Button, MessageBar, MessageBarActions, MessageBarBody } from '@fluentui/react-components';
import { t } from '../../shared/strings.js';
import type { Language } from '../../shared/strings.js';
import { describePaneError } from './error-message.js';

export interface ErrorNoticeProps {
  error: unknown;
  language: Language;
  /** Repeats the failed step. */
  onRetry(): void;
  /** Shown instead of retry when the fix is to sign in again; retry stays when absent. */
  onSignIn?: () => void;
}

/** Renders a localised error with a retry button, announced to screen readers as an alert. */
export function ErrorNotice({ error, language, onRetry, onSignIn }: ErrorNoticeProps) {
  const message = describePaneError(error, language);
  const signIn = message.signIn && onSignIn !== undefined;
  return (
    <MessageBar intent="error" role="alert" layout="multiline">
      <MessageBarBody>{message.text}</MessageBarBody>
      <MessageBarActions>
        {signIn ? (
          <Button onClick={onSignIn}>{t('signIn.submit', language)}</Button>
        ) : (
          <Button onClick={onRetry}>{t('error.retry', language)}</Button>
        )}
      </MessageBarActions>
    </MessageBar>
  );
}

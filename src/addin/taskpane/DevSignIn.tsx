import {
  Body1,
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Subtitle2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { FormEvent } from 'react';
import type { KeyValueStorage } from '../shared/storage.js';
import { STORAGE_KEYS } from '../shared/storage.js';
import { t } from '../shared/strings.js';
import type { Language, StringKey } from '../shared/strings.js';
import { DevSignInError, requestDevToken } from './dev-sign-in.js';
import type { DevSignInErrorCode } from './dev-sign-in.js';

export interface DevSignInProps {
  language: Language;
  /** Origin of the Worklink server, e.g. `https://localhost:3000`. */
  apiOrigin: string;
  /** Storage that receives the access token, which the send handler reads. */
  storage: KeyValueStorage;
  /** Replaces `fetch` in tests. */
  fetchImpl?: typeof fetch;
  /** Called with the address after the token is stored. */
  onSignedIn?: (email: string) => void;
  /** Initial address of the form, such as the Outlook user's. */
  defaultEmail?: string;
}

type SignInState =
  | { kind: 'idle' }
  | { kind: 'submitting' }
  | { kind: 'signed-in'; email: string }
  | { kind: 'failed'; messageKey: StringKey };

const ERROR_MESSAGES: Record<DevSignInErrorCode, StringKey> = {
  WORKLINK_SIGN_IN_EMAIL_INVALID: 'signIn.emailInvalid',
  WORKLINK_SIGN_IN_UNREACHABLE: 'signIn.unreachable',
  WORKLINK_SIGN_IN_REJECTED: 'signIn.rejected',
  WORKLINK_SIGN_IN_INVALID_RESPONSE: 'signIn.invalidResponse',
};

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM },
  actions: { display: 'flex', justifyContent: 'flex-start' },
});

/** Form that signs an agent in with the server's dev authentication and stores the access token. */
export function DevSignIn({ language, apiOrigin, storage, fetchImpl, onSignedIn, defaultEmail }: DevSignInProps) {
  const styles = useStyles();
  const [email, setEmail] = useState(defaultEmail ?? '');
  const [state, setState] = useState<SignInState>({ kind: 'idle' });

  async function signIn(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    setState({ kind: 'submitting' });

    let token: string;
    try {
      token = await requestDevToken(email, apiOrigin, fetchImpl);
    } catch (error) {
      // The console is the add-in's log; the message names the URL and status, never the token.
      console.error('[worklink] dev sign-in failed', error);
      const messageKey = error instanceof DevSignInError ? ERROR_MESSAGES[error.code] : 'signIn.unreachable';
      setState({ kind: 'failed', messageKey });
      return;
    }

    try {
      await storage.setItem(STORAGE_KEYS.accessToken, token);
    } catch (error) {
      console.error('[worklink] storing the access token failed', error);
      setState({ kind: 'failed', messageKey: 'signIn.storageFailed' });
      return;
    }
    setState({ kind: 'signed-in', email: email.trim() });
    onSignedIn?.(email.trim());
  }

  const submitting = state.kind === 'submitting';
  return (
    <form className={styles.form} onSubmit={(event) => void signIn(event)} noValidate>
      <Subtitle2 as="h2">{t('signIn.heading', language)}</Subtitle2>
      <Body1>{t('signIn.devHint', language)}</Body1>
      <Field label={t('signIn.emailLabel', language)} required>
        <Input
          type="email"
          autoComplete="email"
          value={email}
          disabled={submitting}
          onChange={(_event, data) => setEmail(data.value)}
        />
      </Field>
      <div className={styles.actions}>
        <Button appearance="primary" type="submit" disabled={submitting || email.trim() === ''}>
          {submitting ? t('signIn.submitting', language) : t('signIn.submit', language)}
        </Button>
      </div>
      {state.kind === 'signed-in' && (
        <MessageBar intent="success">
          <MessageBarBody>{t('signIn.success', language, { email: state.email })}</MessageBarBody>
        </MessageBar>
      )}
      {state.kind === 'failed' && (
        <MessageBar intent="error">
          <MessageBarBody>{t(state.messageKey, language)}</MessageBarBody>
        </MessageBar>
      )}
    </form>
  );
}

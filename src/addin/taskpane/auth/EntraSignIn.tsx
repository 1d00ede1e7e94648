import { Body1, Button, MessageBar, MessageBarBody, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { t } from '../../shared/strings.js';
import type { Language } from '../../shared/strings.js';
import type { KeyValueStorage } from '../../shared/storage.js';
import { signInWithEntra } from './sign-in.js';
import type { EntraSettings, SignInHost } from './sign-in.js';

export interface EntraSignInProps {
  settings: EntraSettings;
  host: SignInHost;
  storage: KeyValueStorage;
  language: Language;
  onSignedIn(): void;
}

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM, alignItems: 'flex-start' },
});

/** Interactive Microsoft sign-in; the click opens MSAL's consent popup, which browsers allow only from a user action. */
export function EntraSignIn({ settings, host, storage, language, onSignedIn }: EntraSignInProps) {
  const styles = useStyles();
  const [state, setState] = useState<'idle' | 'busy' | 'failed'>('idle');

  async function signIn(): Promise<void> {
    setState('busy');
    try {
      await signInWithEntra(settings, host, storage, true);
    } catch (error) {
      console.error('[worklink] Microsoft sign-in failed', error);
      setState('failed');
      return;
    }
    onSignedIn();
  }

  return (
    <div className={styles.form}>
      <Subtitle2 as="h2">{t('signIn.heading', language)}</Subtitle2>
      <Body1>{t('signIn.microsoftHint', language)}</Body1>
      <Button appearance="primary" disabled={state === 'busy'} onClick={() => void signIn()}>
        {state === 'busy' ? t('signIn.submitting', language) : t('signIn.microsoft', language)}
      </Button>
      {state === 'failed' && (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{t('signIn.microsoftFailed', language)}</MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}

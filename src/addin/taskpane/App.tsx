import {
  Body1,
  FluentProvider,
  MessageBar,
  MessageBarBody,
  Title3,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useMemo, useState } from 'react';
import { createOfficeItemApi } from '../shared/office-async.js';
import type { KeyValueStorage } from '../shared/storage.js';
import { t } from '../shared/strings.js';
import type { Language } from '../shared/strings.js';
import { DevSignIn } from './DevSignIn.js';
import { createPaneApi } from './api/pane-api.js';
import { EntraSignIn } from './auth/EntraSignIn.js';
import type { SignInHost } from './auth/sign-in.js';
import { useAuth } from './auth/use-auth.js';
import { ErrorNotice } from './common/ErrorNotice.js';
import { Progress } from './common/Progress.js';
import type { PaneHost } from './host/office-host.js';
import { LinkingPanel } from './linking/LinkingPanel.js';
import { ReadView } from './read/ReadView.js';
import { fluentTheme } from './pane-theme.js';
import type { PaneThemeName } from './pane-theme.js';

export interface AppProps {
  language: Language;
  /** BCP 47 tag of Outlook's display language, such as `pl-PL`, for dates and lists. */
  locale: string;
  /** Theme when the pane opens. Later changes of Outlook's theme come through `themeFor`. */
  theme: PaneThemeName;
  /** Picks the theme for a theme that Outlook reports later. */
  themeFor?: (officeTheme: Office.OfficeTheme) => PaneThemeName;
  /** Origin of the Worklink server, e.g. `https://localhost:3000`. */
  apiOrigin: string;
  storage: KeyValueStorage;
  host: PaneHost;
  signInHost: SignInHost;
  /** Replaces `fetch` in tests. */
  fetchImpl?: typeof fetch;
}

const useStyles = makeStyles({
  provider: { minHeight: '100vh' },
  main: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalL,
    padding: tokens.spacingHorizontalL,
  },
  header: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalXS },
});

/** Renders the Worklink task pane: sign-in first, then the linking panel in compose mode or the work item view in read mode. */
export function App(props: AppProps) {
  const { language, locale, apiOrigin, storage, host, signInHost, fetchImpl, themeFor } = props;
  const styles = useStyles();
  const [theme, setTheme] = useState<PaneThemeName>(props.theme);
  useEffect(() => {
    if (themeFor) host.onThemeChanged((officeTheme) => setTheme(themeFor(officeTheme)));
  }, [host, themeFor]);
  const api = useMemo(() => createPaneApi({ apiOrigin, storage, fetchImpl }), [apiOrigin, storage, fetchImpl]);
  const auth = useAuth(api, storage, signInHost);
  const linkingDeps = useMemo(
    () => (host.mode === 'compose' ? { host, api, officeApi: createOfficeItemApi(host.composeItem()) } : null),
    [host, api],
  );
  const state = auth.state;
  // The dev form disappears once signed in, so the pane confirms the address above the next view.
  const [signedInEmail, setSignedInEmail] = useState<string | null>(null);

  let content;
  if (state.kind === 'checking') {
    content = <Progress label={t('pane.loading', language)} />;
  } else if (state.kind === 'config-error') {
    content = <ErrorNotice error={state.error} language={language} onRetry={() => void auth.retry()} />;
  } else if (state.kind === 'signed-out' && state.config.mode === 'dev') {
    content = (
      <DevSignIn
        language={language}
        apiOrigin={apiOrigin}
        storage={storage}
        fetchImpl={fetchImpl}
        defaultEmail={host.userEmail()}
        onSignedIn={(email) => {
          setSignedInEmail(email);
          auth.signedIn();
        }}
      />
    );
  } else if (state.kind === 'signed-out' && state.config.mode === 'entra') {
    content = (
      <EntraSignIn
        settings={state.config}
        host={signInHost}
        storage={storage}
        language={language}
        onSignedIn={auth.signedIn}
      />
    );
  }

  const signingIn = content !== undefined;
  if (!signingIn) {
    if (linkingDeps) {
      content = (
        <LinkingPanel deps={linkingDeps} language={language} locale={locale} onSignInNeeded={auth.signInAgain} />
      );
    } else if (host.mode === 'read') {
      content = (
        <ReadView
          host={host}
          api={api}
          storage={storage}
          language={language}
          locale={locale}
          onSignInNeeded={auth.signInAgain}
        />
      );
    } else {
      content = (
        <MessageBar intent="info">
          <MessageBarBody>{t('pane.noItem', language)}</MessageBarBody>
        </MessageBar>
      );
    }
  }

  return (
    <FluentProvider theme={fluentTheme(theme)} className={styles.provider} lang={language}>
      <main className={styles.main}>
        {signingIn && (
          <header className={styles.header}>
            <Title3 as="h1">{t('pane.title', language)}</Title3>
            <Body1>{t('pane.subtitle', language)}</Body1>
          </header>
        )}
        {!signingIn && signedInEmail !== null && (
          <MessageBar intent="success">
            <MessageBarBody>{t('signIn.success', language, { email: signedInEmail })}</MessageBarBody>
          </MessageBar>
        )}
        {content}
      </main>
    </FluentProvider>
  );
}

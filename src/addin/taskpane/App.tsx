import {
  Body1,
  FluentProvider,
  Title3,
  makeStyles,
  tokens,
  webDarkTheme,
  webLightTheme,
} from '@fluentui/react-components';
import type { KeyValueStorage } from '../shared/storage.js';
import { t } from '../shared/strings.js';
import type { Language } from '../shared/strings.js';
import { DevSignIn } from './DevSignIn.js';

export interface AppProps {
  language: Language;
  /** Whether Outlook shows a dark theme; picks Fluent's dark or light theme. */
  dark: boolean;
  /** Origin of the Worklink server, e.g. `https://localhost:3000`. */
  apiOrigin: string;
  storage: KeyValueStorage;
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

/** Renders the Worklink task pane: the title and the dev sign-in, until the linking panel joins them. */
export function App({ language, dark, apiOrigin, storage, fetchImpl }: AppProps) {
  const styles = useStyles();
  return (
    <FluentProvider theme={dark ? webDarkTheme : webLightTheme} className={styles.provider} lang={language}>
      <main className={styles.main}>
        <header className={styles.header}>
          <Title3 as="h1">{t('pane.title', language)}</Title3>
          <Body1>{t('pane.subtitle', language)}</Body1>
        </header>
        <DevSignIn language={language} apiOrigin={apiOrigin} storage={storage} fetchImpl={fetchImpl} />
      </main>
    </FluentProvider>
  );
}

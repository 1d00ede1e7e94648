// Entry of the task pane page. Office.js calls onReady once the host is ready; rendering
// earlier would read Office.context before it exists.
import { createRoot } from 'react-dom/client';
import { createStorage } from '../shared/storage.js';
import { resolveLanguage } from '../shared/strings.js';
import { App } from './App.js';
import { officeSignInHost } from './auth/sign-in.js';
import { createOfficeHost } from './host/office-host.js';
import { pickThemeName } from './pane-theme.js';
import { resolvePaneApiOrigin } from './pane-origin.js';

/** Returns Outlook's theme, or undefined where the host has none (Mailbox before 1.14, or a plain browser). */
function readOfficeTheme(): Office.OfficeTheme | undefined {
  try {
    return Office.context?.officeTheme ?? undefined;
  } catch {
    return undefined;
  }
}

function forcedColors(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia('(forced-colors: active)').matches;
}

void Office.onReady(() => {
  const container = document.getElementById('root');
  if (!container) {
    console.error('[worklink] WORKLINK_TASKPANE_ROOT_MISSING: taskpane.html has no element with id "root".');
    return;
  }

  const displayLanguage = Office.context?.displayLanguage || navigator.language || 'en-US';
  const language = resolveLanguage(displayLanguage);
  document.documentElement.lang = language;
  createRoot(container).render(
    <App
      language={language}
      locale={displayLanguage}
      theme={pickThemeName(readOfficeTheme(), forcedColors())}
      themeFor={(officeTheme) => pickThemeName(officeTheme, forcedColors())}
      apiOrigin={resolvePaneApiOrigin(window.location, __WORKLINK_API_ORIGIN__)}
      storage={createStorage()}
      host={createOfficeHost()}
      signInHost={officeSignInHost()}
    />,
  );
});

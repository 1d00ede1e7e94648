// Entry of the task pane page. Office.js calls onReady once the host is ready; rendering
// earlier would read Office.context before it exists.
import { createRoot } from 'react-dom/client';
import { createStorage } from '../shared/storage.js';
import { resolveLanguage } from '../shared/strings.js';
import { App } from './App.js';
import { isDarkOfficeTheme } from './office-theme.js';

/** Returns Outlook's theme, or undefined where the host has none (Mailbox before 1.14, or a plain browser). */
function readOfficeTheme(): Office.OfficeTheme | undefined {
  try {
    return Office.context?.officeTheme ?? undefined;
  } catch {
    return undefined;
  }
}

void Office.onReady(() => {
  const container = document.getElementById('root');
  if (!container) {
    console.error('[worklink] WORKLINK_TASKPANE_ROOT_MISSING: taskpane.html has no element with id "root".');
    return;
  }

  const language = resolveLanguage(Office.context?.displayLanguage);
  createRoot(container).render(
    <App
      language={language}
      dark={isDarkOfficeTheme(readOfficeTheme())}
      apiOrigin={__WORKLINK_API_ORIGIN__}
      storage={createStorage()}
    />,
  );
});

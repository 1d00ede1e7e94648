/**
 * The Smart Alerts dialog that Outlook shows when a send handler completes with
 * `allowEvent: false`. Send Anyway appears in the PromptUser send mode (from the manifest, or
 * `sendModeOverride: 'promptUser'`). The other button is Don't Send, relabelled by
 * `cancelLabel`; with `commandId` it also opens that task pane with `contextData`.
 */
import type { CompletedOptions } from './launch-runtime.js';
import type { HostLanguage } from './strings.js';
import { hostText } from './strings.js';

export type AlertChoice = { kind: 'send-anyway' } | { kind: 'dont-send'; openPane: string | null; contextData: string };

/** Appends Markdown as text with `**bold**` and backslash escapes, the part Worklink's messages use. */
function appendMarkdown(target: HTMLElement, markdown: string): void {
  const unescaped: { text: string; bold: boolean }[] = [];
  let bold = false;
  let current = '';
  for (let index = 0; index < markdown.length; index += 1) {
    const character = markdown[index] as string;
    if (character === '\\' && index + 1 < markdown.length) {
      current += markdown[index + 1];
      index += 1;
    } else if (character === '*' && markdown[index + 1] === '*') {
      unescaped.push({ text: current, bold });
      current = '';
      bold = !bold;
      index += 1;
    } else {
      current += character;
    }
  }
  unescaped.push({ text: current, bold });
  for (const part of unescaped) {
    if (part.text === '') continue;
    const node = part.bold ? document.createElement('strong') : document.createElement('span');
    node.textContent = part.text;
    target.append(node);
  }
}

export function showSmartAlert(
  overlay: HTMLElement,
  options: CompletedOptions,
  promptUser: boolean,
  language: HostLanguage,
): Promise<AlertChoice> {
  overlay.replaceChildren();
  overlay.hidden = false;

  const dialog = document.createElement('div');
  dialog.className = 'dialog';
  dialog.setAttribute('role', 'alertdialog');
  dialog.setAttribute('aria-modal', 'true');
  dialog.setAttribute('aria-labelledby', 'smart-alert-title');
  dialog.setAttribute('aria-describedby', 'smart-alert-message');

  const title = document.createElement('h2');
  title.id = 'smart-alert-title';
  title.textContent = 'Worklink';
  const message = document.createElement('p');
  message.id = 'smart-alert-message';
  message.style.whiteSpace = 'pre-wrap';
  if (options.errorMessageMarkdown) appendMarkdown(message, options.errorMessageMarkdown);
  else message.textContent = options.errorMessage ?? '';

  const buttons = document.createElement('div');
  buttons.className = 'buttons';
  dialog.append(title, message, buttons);
  overlay.append(dialog);

  return new Promise<AlertChoice>((resolve) => {
    const close = (choice: AlertChoice): void => {
      overlay.hidden = true;
      overlay.replaceChildren();
      resolve(choice);
    };

    if (promptUser) {
      const sendAnyway = document.createElement('button');
      sendAnyway.type = 'button';
      sendAnyway.className = 'action';
      sendAnyway.textContent = hostText('sendAnyway', language);
      sendAnyway.addEventListener('click', () => close({ kind: 'send-anyway' }));
      buttons.append(sendAnyway);
    }

    const dontSend = document.createElement('button');
    dontSend.type = 'button';
    dontSend.className = 'action primary';
    dontSend.textContent = options.cancelLabel || hostText('dontSend', language);
    dontSend.addEventListener('click', () =>
      close({ kind: 'dont-send', openPane: options.commandId ?? null, contextData: options.contextData ?? '' }),
    );
    buttons.append(dontSend);
    dontSend.focus();
  });
}

/**
 * Builds the options the send handler passes to `event.completed`. The Office documentation
 * limits `errorMessage` and `errorMessageMarkdown` (Mailbox 1.12 and 1.15) to 500 characters
 * and `cancelLabel` to 20. `cancelLabel`, `commandId`, `contextData` and `sendModeOverride`
 * need Mailbox 1.14, and older hosts ignore them.
 */
import type { FailurePolicy, RecipientField } from '../../core/api-types.js';
import type { Language, StringKey } from '../shared/strings.js';
import { SMART_ALERT_LABEL_MAX_LENGTH, SMART_ALERT_MESSAGE_MAX_LENGTH, t } from '../shared/strings.js';

/** Control id of the compose task pane button in the manifest; Smart Alerts opens that pane. */
export const COMPOSE_PANE_COMMAND_ID = 'WorklinkComposePaneButton';

/** Team names shown in a Smart Alert before the rest are counted as "and N more". */
const MAX_TEAMS_SHOWN = 3;

/** Characters of one team name shown in a Smart Alert before it is cut with an ellipsis. */
const MAX_TEAM_NAME_LENGTH = 60;

export interface CompletedOptions {
  allowEvent: boolean;
  errorMessage?: string;
  errorMessageMarkdown?: string;
  cancelLabel?: string;
  commandId?: string;
  contextData?: string;
  sendModeOverride?: string;
}

export const ALLOW: CompletedOptions = { allowEvent: true };

function truncate(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}

/** Escapes the characters that Markdown would read as formatting. */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+\-.!|<>~])/g, '\\$1');
}

/** Joins team names as "A, B and C", or "A, B, C and 2 more" past `MAX_TEAMS_SHOWN`. */
export function formatTeamList(names: readonly string[], language: Language, format: (name: string) => string): string {
  const unique = names.filter((name, index) => names.indexOf(name) === index);
  const shown = unique.slice(0, MAX_TEAMS_SHOWN).map((name) => format(truncate(name.trim(), MAX_TEAM_NAME_LENGTH)));
  const hidden = unique.length - shown.length;

  if (hidden > 0) return t('teams.andMore', language, { list: shown.join(', '), count: hidden });
  if (shown.length <= 1) return shown.join('');
  return t('teams.and', language, { list: shown.slice(0, -1).join(', '), last: shown[shown.length - 1] as string });
}

function message(key: StringKey, language: Language, params: Record<string, string | number> = {}): string {
  return truncate(t(key, language, params), SMART_ALERT_MESSAGE_MAX_LENGTH);
}

function label(key: StringKey, language: Language): string {
  return truncate(t(key, language), SMART_ALERT_LABEL_MAX_LENGTH);
}

/** Stops the send and offers the linking panel, naming the teams whose work items the agent must choose. */
export function decisionAlert(
  teamNames: readonly string[],
  planId: string,
  language: Language,
  markdownSupported: boolean,
): CompletedOptions {
  const options: CompletedOptions = {
    allowEvent: false,
    errorMessage: message('sendAlert.decisionNeeded', language, {
      teams: formatTeamList(teamNames, language, (name) => name),
    }),
    cancelLabel: label('sendAlert.decisionButton', language),
    commandId: COMPOSE_PANE_COMMAND_ID,
    contextData: JSON.stringify({ planId }),
  };
  if (markdownSupported) {
    options.errorMessageMarkdown = message('sendAlert.decisionNeededMarkdown', language, {
      teams: formatTeamList(teamNames, language, (name) => `**${escapeMarkdown(name)}**`),
    });
  }
  return options;
}

/** Stops the send and offers the task pane, where the agent signs in. */
export function signInAlert(language: Language): CompletedOptions {
  return {
    allowEvent: false,
    errorMessage: message('sendAlert.signInNeeded', language),
    cancelLabel: label('sendAlert.signInButton', language),
    commandId: COMPOSE_PANE_COMMAND_ID,
  };
}

/**
 * Completes per the admin's failure policy when the backend cannot respond in time, or the check
 * fails otherwise: `allow` sends the message unchanged, `prompt` stops it with Send Anyway
 * offered, which also sends it unchanged.
 */
export function failureCompletion(
  policy: FailurePolicy,
  language: Language,
  key: 'sendAlert.backendUnavailable' | 'sendAlert.checkFailed' = 'sendAlert.backendUnavailable',
): CompletedOptions {
  if (policy === 'allow') return ALLOW;
  return {
    allowEvent: false,
    errorMessage: message(key, language),
    sendModeOverride: 'promptUser',
  };
}

/** Stops the send because the host did not keep the rewritten recipients of `field`. */
export function rewriteFailedAlert(field: RecipientField, language: Language): CompletedOptions {
  return {
    allowEvent: false,
    errorMessage: message('sendAlert.rewriteFailed', language, { field: t(`field.${field}` as StringKey, language) }),
  };
}

/** Stops the send because the server's rewritten recipients would add or drop recipients. */
export function planInvalidAlert(language: Language): CompletedOptions {
  return { allowEvent: false, errorMessage: message('sendAlert.planInvalid', language) };
}

/**
 * Picks the Fluent theme that follows Outlook: high contrast when the system forces colours
 * (Windows contrast themes, which Outlook follows), otherwise dark or light by Office's body
 * background (`Office.context.officeTheme`, Mailbox 1.14).
 */
import { teamsHighContrastTheme, webDarkTheme, webLightTheme } from '@fluentui/react-components';
import type { Theme } from '@fluentui/react-components';
import { isDarkOfficeTheme } from './office-theme.js';

export type PaneThemeName = 'light' | 'dark' | 'high-contrast';

export function pickThemeName(
  officeTheme: Pick<Office.OfficeTheme, 'bodyBackgroundColor'> | undefined,
  forcedColors: boolean,
): PaneThemeName {
  if (forcedColors) return 'high-contrast';
  return isDarkOfficeTheme(officeTheme) ? 'dark' : 'light';
}

export function fluentTheme(name: PaneThemeName): Theme {
  if (name === 'high-contrast') return teamsHighContrastTheme;
  return name === 'dark' ? webDarkTheme : webLightTheme;
}

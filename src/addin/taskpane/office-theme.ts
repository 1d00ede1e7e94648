/**
 * Returns true when the Office theme's body background is dark. Outlook does not support
 * `OfficeTheme.isDarkTheme`, so the background colour decides. Outlook reports a theme from
 * Mailbox 1.14 on; without one, or outside Office, the pane uses the light theme.
 */
export function isDarkOfficeTheme(theme: Pick<Office.OfficeTheme, 'bodyBackgroundColor'> | undefined): boolean {
  const match = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(theme?.bodyBackgroundColor?.trim() ?? '');
  if (!match) return false;

  // WCAG 2.x relative luminance of the sRGB colour; 0.18 is about mid-grey (CIE L* 50).
  const [red, green, blue] = match.slice(1, 4).map((hex) => {
    const channel = parseInt(hex, 16) / 255;
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue;
  return luminance < 0.18;
}

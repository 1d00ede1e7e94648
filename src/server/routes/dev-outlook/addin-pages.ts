import fs from 'node:fs/promises';
import path from 'node:path';
import { WorklinkError } from '../../errors.js';

/** Office.js on Microsoft's CDN, as the built add-in pages load it. */
const OFFICE_JS_PATTERN =
  /<script\b[^>]*\bsrc="?https:\/\/appsforoffice\.microsoft\.com\/lib\/1\/hosted\/office\.js"?[^>]*>\s*<\/script>/i;

/** Add-in pages that the simulator frames, by the name it serves them under. */
export const framedPages = ['taskpane.html', 'launchevent.html'] as const;
export type FramedPage = (typeof framedPages)[number];

/**
 * Reads a built add-in page and replaces its Office.js script tag with the simulator's shim.
 * A `<base href="/">` keeps the page's relative URLs (`taskpane.js`, its chunks) pointing at
 * the files that the server serves at `/`, so the bundles run unchanged.
 * Throws `WORKLINK_DEV_SIMULATOR_UNAVAILABLE` when the page is not built or loads no Office.js.
 */
export async function readFramedPage(addinDir: string, page: FramedPage, shimUrl: string): Promise<string> {
  const file = path.join(addinDir, page);
  let html: string;
  try {
    html = await fs.readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as Error).message;
    throw new WorklinkError('WORKLINK_DEV_SIMULATOR_UNAVAILABLE', {
      en: `The add-in page ${file} could not be read (${reason}): run npm run build, or set WORKLINK_ADDIN_DIR to the built add-in.`,
      pl: `Nie udało się odczytać strony dodatku ${file} (${reason}): uruchom npm run build albo ustaw w WORKLINK_ADDIN_DIR katalog zbudowanego dodatku.`,
    });
  }

  if (!OFFICE_JS_PATTERN.test(html)) {
    throw new WorklinkError('WORKLINK_DEV_SIMULATOR_UNAVAILABLE', {
      en: `${file} has no Office.js script tag from appsforoffice.microsoft.com, so the simulator cannot put its shim in place: rebuild the add-in with npm run build.`,
      pl: `${file} nie ma znacznika script, który wczytuje Office.js z appsforoffice.microsoft.com, więc symulator nie może podmienić go na własną wersję: zbuduj dodatek ponownie przez npm run build.`,
    });
  }
  const withShim = html.replace(OFFICE_JS_PATTERN, `<script src="${shimUrl}"></script>`);
  return withShim.replace(/<head(\s[^>]*)?>/i, (head) => `${head}\n    <base href="/" />`);
}

/** Send mode of the manifest's OnMessageSend launch event; `PromptUser` is what Worklink ships. */
export type ManifestSendMode = 'PromptUser' | 'SoftBlock' | 'Block';

/**
 * Reads `SendMode` of the OnMessageSend launch event from the built manifest, so the simulated
 * Smart Alerts dialog offers Send Anyway exactly when Outlook would. Returns `PromptUser`, the
 * mode Worklink's manifest sets, when the built manifest is missing or names no send mode.
 */
export async function readManifestSendMode(addinDir: string): Promise<ManifestSendMode> {
  let xml: string;
  try {
    xml = await fs.readFile(path.join(addinDir, 'manifest.xml'), 'utf8');
  } catch {
    return 'PromptUser';
  }
  const match = /<LaunchEvent\b[^>]*\bType="OnMessageSend"[^>]*>/i.exec(xml);
  const mode = match ? /\bSendMode="(PromptUser|SoftBlock|Block)"/i.exec(match[0]) : null;
  return (mode?.[1] as ManifestSendMode | undefined) ?? 'PromptUser';
}

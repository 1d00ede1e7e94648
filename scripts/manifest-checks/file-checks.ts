import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { Element } from '@xmldom/xmldom';
import { childElements, describeElement, descendants } from './xml.js';
import type { ManifestContext } from './xml.js';

/** One URL in the manifest and the element it came from. */
export interface ManifestUrl {
  element: Element;
  url: string;
  /** Whether the URL must name a file of the build; SupportUrl must only when it is on the add-in origin. */
  isAddinFile: boolean;
}

/**
 * Icon sizes, in pixels, of the top-level icon elements. Microsoft's HighResolutionIconUrl
 * reference requires 128 × 128 for mail add-ins; IconUrl is the 64 × 64 standard icon.
 */
const TOP_LEVEL_ICON_SIZES: Record<string, number> = { IconUrl: 64, HighResolutionIconUrl: 128 };

/** Collects every URL value: top-level icons and pages, form settings, and URL and image resources. */
export function collectUrls(context: ManifestContext): ManifestUrl[] {
  const urls: ManifestUrl[] = [];
  const add = (element: Element, isAddinFile: boolean): void => {
    urls.push({ element, url: element.getAttribute('DefaultValue') ?? '', isAddinFile });
    for (const override of childElements(element).filter((child) => child.localName === 'Override')) {
      urls.push({ element: override, url: override.getAttribute('Value') ?? '', isAddinFile });
    }
  };

  for (const child of childElements(context.root)) {
    if (child.localName === 'IconUrl' || child.localName === 'HighResolutionIconUrl') add(child, true);
    if (child.localName === 'SupportUrl') add(child, false);
  }
  for (const form of descendants(context.root, 'Form')) {
    for (const location of descendants(form, 'SourceLocation')) add(location, true);
  }
  for (const group of ['Images', 'Urls']) {
    for (const container of descendants(context.root, group)) {
      for (const entry of childElements(container)) add(entry, true);
    }
  }
  return urls;
}

/** Returns the path under `distDir` that a URL names, or null when it escapes that folder. */
export function urlToDistPath(url: URL, distDir: string): string | null {
  const relative = decodeURIComponent(url.pathname).replace(/^\/+/, '');
  const resolved = path.resolve(distDir, relative);
  if (resolved !== path.resolve(distDir) && !resolved.startsWith(path.resolve(distDir) + path.sep)) return null;
  return resolved;
}

/** Checks that URLs are https on one origin and that each add-in URL names a built file. */
export function checkUrls(context: ManifestContext): { errors: string[]; notes: string[] } {
  const errors: string[] = [];
  const origins = new Set<string>();
  const distLabel = path.relative(process.cwd(), context.distDir) || '.';

  const urls = collectUrls(context);
  const addinOrigins = new Set(
    urls.filter((entry) => entry.isAddinFile && URL.canParse(entry.url)).map((entry) => new URL(entry.url).origin),
  );

  for (const { element, url, isAddinFile } of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      errors.push(
        `WORKLINK_MANIFEST_URL_INVALID: ${describeElement(element)} has "${url}", which is not an absolute URL.`,
      );
      continue;
    }
    if (parsed.protocol !== 'https:') {
      errors.push(
        `WORKLINK_MANIFEST_URL_NOT_HTTPS: ${describeElement(element)} has ${url}; Office loads add-ins only over https.`,
      );
    }
    if (!isAddinFile && !addinOrigins.has(parsed.origin)) continue;

    origins.add(parsed.origin);
    const file = urlToDistPath(parsed, context.distDir);
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      const displayedPath = file ? path.relative(process.cwd(), file) : parsed.pathname;
      errors.push(
        `WORKLINK_MANIFEST_URL_NOT_BUILT: ${describeElement(element)} points to ${url}, but ${displayedPath} is not a file in ${distLabel}; run npm run build, or fix the URL.`,
      );
    }
  }

  for (const domain of descendants(context.root, 'AppDomain')) {
    const text = (domain.textContent ?? '').trim();
    if (!/^https:\/\/[^/?#\s]+$/.test(text)) {
      errors.push(
        `WORKLINK_MANIFEST_URL_INVALID: ${describeElement(domain)} has "${text}"; an AppDomain is an https origin with no path.`,
      );
    }
  }

  if (origins.size > 1) {
    errors.push(
      `WORKLINK_MANIFEST_ORIGIN_MIXED: the add-in files are named on ${origins.size} origins (${Array.from(origins).join(', ')}); one server serves them all, so use one origin.`,
    );
  }
  return { errors, notes: Array.from(origins).map((origin) => `add-in origin ${origin}`) };
}

/** Finds the size each image URL must have, from its element name, its resource id or an `<Icon>` reference. */
export function expectedIconSizes(context: ManifestContext): { sizes: Map<string, Set<number>>; errors: string[] } {
  const sizes = new Map<string, Set<number>>();
  const errors: string[] = [];
  const expect = (url: string, size: number): void => {
    const set = sizes.get(url) ?? new Set<number>();
    set.add(size);
    sizes.set(url, set);
  };

  for (const child of childElements(context.root)) {
    const size = TOP_LEVEL_ICON_SIZES[child.localName ?? ''];
    if (size) expect(child.getAttribute('DefaultValue') ?? '', size);
  }

  const imageUrlById = new Map<string, string>();
  for (const container of descendants(context.root, 'Images')) {
    for (const image of childElements(container)) {
      const id = image.getAttribute('id') ?? '';
      const url = image.getAttribute('DefaultValue') ?? '';
      imageUrlById.set(id, url);
      const match = /(\d+)x(\d+)$/.exec(id);
      if (match && match[1] !== match[2]) {
        errors.push(
          `WORKLINK_MANIFEST_ICON_NOT_SQUARE: ${describeElement(image)} names a ${match[1]}x${match[2]} image; icons are square.`,
        );
      }
      if (match) expect(url, Number(match[1]));
    }
  }

  for (const icon of descendants(context.root, 'Icon')) {
    for (const reference of childElements(icon)) {
      const url = imageUrlById.get(reference.getAttribute('resid') ?? '');
      const size = Number(reference.getAttribute('size'));
      if (url && Number.isInteger(size) && size > 0) expect(url, size);
    }
  }
  return { sizes, errors };
}

/** Checks that each icon URL names a PNG of the size the manifest declares for it. */
export function checkIcons(context: ManifestContext): { errors: string[]; notes: string[] } {
  const { sizes, errors } = expectedIconSizes(context);
  const notes: string[] = [];

  for (const [url, expected] of sizes) {
    if (expected.size > 1) {
      errors.push(
        `WORKLINK_MANIFEST_ICON_SIZE_CONFLICT: ${url} is declared as ${Array.from(expected).join(' and ')} px; give each size its own image.`,
      );
      continue;
    }
    const [size] = Array.from(expected);
    let file: string | null;
    try {
      file = urlToDistPath(new URL(url), context.distDir);
    } catch {
      continue; // checkUrls reports the invalid URL.
    }
    if (!file || !existsSync(file)) continue; // checkUrls reports the missing file.

    let png: PNG;
    try {
      png = PNG.sync.read(readFileSync(file));
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      errors.push(
        `WORKLINK_MANIFEST_ICON_NOT_PNG: ${url} is not a readable PNG (${detail}); regenerate it with node scripts/draw-icons.mjs.`,
      );
      continue;
    }
    if (png.width !== size || png.height !== size) {
      errors.push(
        `WORKLINK_MANIFEST_ICON_SIZE: ${url} is ${png.width}x${png.height} px, but the manifest declares ${size}x${size}; fix the image or the declaration.`,
      );
    } else {
      notes.push(`${path.basename(file)} ${size}x${size}`);
    }
  }
  return { errors, notes };
}

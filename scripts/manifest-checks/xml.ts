import { DOMParser } from '@xmldom/xmldom';
import type { Document, Element } from '@xmldom/xmldom';

export const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';

/** Outcome of one named check: it passed when `errors` is empty. */
export interface CheckResult {
  name: string;
  errors: string[];
  notes: string[];
}

/** Parsed manifest plus the locations the checks read files from. */
export interface ManifestContext {
  manifestPath: string;
  /** Folder that the manifest's URL paths are resolved against, normally dist/addin. */
  distDir: string;
  document: Document;
  root: Element;
}

/** Thrown when the manifest is not well-formed XML; the message names the line and column. */
export class ManifestParseError extends Error {
  readonly code = 'WORKLINK_MANIFEST_NOT_WELL_FORMED';
}

/** Parses manifest XML, rejecting errors that browsers and Outlook's parser would also reject. */
export function parseManifestXml(xml: string, manifestPath: string): Document {
  const parser = new DOMParser({
    onError: (level, message) => {
      if (level === 'warning') return;
      throw new ManifestParseError(
        `WORKLINK_MANIFEST_NOT_WELL_FORMED: ${manifestPath} is not well-formed XML (${message.trim()}); fix the markup at that position.`,
      );
    },
  });

  try {
    return parser.parseFromString(xml, 'text/xml');
  } catch (error) {
    if (error instanceof ManifestParseError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new ManifestParseError(
      `WORKLINK_MANIFEST_NOT_WELL_FORMED: ${manifestPath} is not well-formed XML (${detail.trim()}); fix the markup at that position.`,
    );
  }
}

/** Returns the element children of `element`, skipping text, comments and processing instructions. */
export function childElements(element: Element): Element[] {
  const children: Element[] = [];
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === node.ELEMENT_NODE) children.push(node as Element);
  }
  return children;
}

/** Returns every descendant element with the local name `localName`, in any namespace. */
export function descendants(root: Element, localName: string): Element[] {
  return Array.from(root.getElementsByTagNameNS('*', localName));
}

/** Returns the value of `xsi:type`, or an empty string when the element has none. */
export function xsiType(element: Element): string {
  return element.getAttributeNS(XSI_NAMESPACE, 'type') ?? '';
}

/** Returns the nearest ancestor with the local name `localName` (and `xsi:type` when given). */
export function closestAncestor(element: Element, localName: string, type?: string): Element | null {
  for (let node = element.parentNode; node; node = node.parentNode) {
    if (node.nodeType !== node.ELEMENT_NODE) continue;
    const candidate = node as Element;
    if (candidate.localName === localName && (type === undefined || xsiType(candidate) === type)) return candidate;
  }
  return null;
}

/** Describes an element for messages, e.g. `<bt:Url id="Taskpane.Url"> (line 12)`. */
export function describeElement(element: Element): string {
  const attributeText = ['id', 'resid', 'Locale', 'size']
    .filter((name) => element.hasAttribute(name))
    .map((name) => ` ${name}="${element.getAttribute(name)}"`)
    .join('');
  const type = xsiType(element);
  const typeText = type ? ` xsi:type="${type}"` : '';
  const line = element.lineNumber ? ` (line ${element.lineNumber})` : '';
  return `<${element.tagName}${typeText}${attributeText}>${line}`;
}

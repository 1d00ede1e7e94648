import type { Element } from '@xmldom/xmldom';
import { ELEMENT_ORDER } from './element-order.js';
import { childElements, closestAncestor, describeElement, descendants, xsiType } from './xml.js';
import type { ManifestContext } from './xml.js';

export type ResourceKind = 'Image' | 'Url' | 'ShortString' | 'LongString';

/** Maximum lengths of ShortString and LongString values in Microsoft's manifest schema. */
const MAX_LENGTH: Record<'ShortString' | 'LongString', number> = { ShortString: 125, LongString: 250 };

/** The locale that every visible string must be translated into. */
export const REQUIRED_LOCALE = 'pl-PL';

/** Checks the root element: an add-in-only mail manifest with a GUID Id. */
export function checkRoot(context: ManifestContext): string[] {
  const errors: string[] = [];
  const { root } = context;

  if (root.localName !== 'OfficeApp' || xsiType(root) !== 'MailApp') {
    errors.push(
      `WORKLINK_MANIFEST_NOT_MAIL_APP: the root element is ${describeElement(root)}; a mail add-in manifest starts with <OfficeApp xsi:type="MailApp">.`,
    );
  }

  const id = childElements(root).find((child) => child.localName === 'Id');
  const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (!id || !guid.test((id.textContent ?? '').trim())) {
    errors.push(
      `WORKLINK_MANIFEST_ID_INVALID: <Id> must contain one GUID such as 905fa7b9-3498-4e87-91f0-5ba59b0a5abd.`,
    );
  }
  return errors;
}

/** Returns the ELEMENT_ORDER key for an element, or null when its children are not checked. */
function orderKey(element: Element): string | null {
  const typed = `${element.localName}[${xsiType(element)}]`;
  if (ELEMENT_ORDER[typed]) return typed;
  if (ELEMENT_ORDER[element.localName ?? '']) return element.localName ?? null;
  return null;
}

/** Checks that the children of every element listed in ELEMENT_ORDER are known and in schema order. */
export function checkElementOrder(context: ManifestContext): string[] {
  const errors: string[] = [];
  const elements = [context.root, ...Array.from(context.root.getElementsByTagNameNS('*', '*'))];

  for (const parent of elements) {
    const key = orderKey(parent);
    if (!key) continue;
    const order = ELEMENT_ORDER[key] ?? [];

    let previousIndex = -1;
    let previousName = '';
    for (const child of childElements(parent)) {
      const name = child.localName ?? '';
      const index = order.indexOf(name);
      if (index === -1) {
        errors.push(
          `WORKLINK_MANIFEST_UNKNOWN_ELEMENT: ${describeElement(child)} is not a child that ${describeElement(parent)} allows; allowed, in this order: ${order.join(', ')}.`,
        );
        continue;
      }
      if (index < previousIndex) {
        errors.push(
          `WORKLINK_MANIFEST_ELEMENT_ORDER: ${describeElement(child)} comes after <${previousName}> in ${describeElement(parent)}, but the schema puts ${name} first; the required order is ${order.join(', ')}.`,
        );
      }
      previousIndex = Math.max(previousIndex, index);
      previousName = order[previousIndex] ?? name;
    }
  }
  return errors;
}

/** Returns the kind of resource that a `resid` on this element must name. */
export function expectedResourceKind(element: Element): ResourceKind | null {
  switch (element.localName) {
    case 'Image':
      return 'Image';
    case 'Label':
    case 'Title':
      return 'ShortString';
    case 'Description':
      return 'LongString';
    case 'Runtime':
    case 'Override':
    case 'SourceLocation':
    case 'FunctionFile':
      return 'Url';
    default:
      return null;
  }
}

/** Maps each resource id to the kinds it is declared as, from every <Resources> element. */
export function indexResources(context: ManifestContext): Map<string, Map<ResourceKind, Element>> {
  const groups: Record<string, ResourceKind> = {
    Images: 'Image',
    Urls: 'Url',
    ShortStrings: 'ShortString',
    LongStrings: 'LongString',
  };
  const index = new Map<string, Map<ResourceKind, Element>>();

  for (const resources of descendants(context.root, 'Resources')) {
    for (const group of childElements(resources)) {
      const kind = groups[group.localName ?? ''];
      if (!kind) continue;
      for (const entry of childElements(group)) {
        const id = entry.getAttribute('id') ?? '';
        const kinds = index.get(id) ?? new Map<ResourceKind, Element>();
        if (!kinds.has(kind)) kinds.set(kind, entry);
        index.set(id, kinds);
      }
    }
  }
  return index;
}

/** Checks that every `resid` names a resource of the kind its element needs, and that ids are unique. */
export function checkResourceIds(context: ManifestContext): string[] {
  const errors: string[] = [];
  const index = indexResources(context);

  for (const resources of descendants(context.root, 'Resources')) {
    const seen = new Set<string>();
    for (const group of childElements(resources)) {
      for (const entry of childElements(group)) {
        const key = `${group.localName}/${entry.getAttribute('id')}`;
        if (seen.has(key)) {
          errors.push(
            `WORKLINK_MANIFEST_RESOURCE_DUPLICATE: ${describeElement(entry)} is declared twice in <${group.tagName}>; remove one.`,
          );
        }
        seen.add(key);
      }
    }
  }

  const holders = Array.from(context.root.getElementsByTagNameNS('*', '*')).filter((element) =>
    element.hasAttribute('resid'),
  );
  for (const holder of holders) {
    const resid = holder.getAttribute('resid') ?? '';
    const kind = expectedResourceKind(holder);
    if (!kind) {
      errors.push(`WORKLINK_MANIFEST_RESID_UNEXPECTED: ${describeElement(holder)} does not take a resid; remove it.`);
      continue;
    }
    const declared = index.get(resid);
    if (!declared) {
      errors.push(
        `WORKLINK_MANIFEST_RESID_MISSING: ${describeElement(holder)} names resource "${resid}", which <Resources> does not declare; add it as a ${kind} or fix the resid.`,
      );
    } else if (!declared.has(kind)) {
      errors.push(
        `WORKLINK_MANIFEST_RESID_WRONG_KIND: ${describeElement(holder)} needs a ${kind}, but "${resid}" is declared as ${Array.from(declared.keys()).join(', ')}; point it at a ${kind} resource.`,
      );
    }
  }
  return errors;
}

/** Checks one localisable value and its overrides: the required locale is present and lengths fit. */
function checkLocalisedValue(element: Element, limit: number | undefined, errors: string[]): void {
  const values = [{ where: describeElement(element), value: element.getAttribute('DefaultValue') ?? '' }];
  let translated = false;

  for (const override of childElements(element).filter((child) => child.localName === 'Override')) {
    const value = override.getAttribute('Value') ?? '';
    values.push({ where: describeElement(override), value });
    if (override.getAttribute('Locale') === REQUIRED_LOCALE && value.trim() !== '') translated = true;
  }

  if (!translated) {
    errors.push(
      `WORKLINK_MANIFEST_TRANSLATION_MISSING: ${describeElement(element)} has no ${REQUIRED_LOCALE} <Override> with a non-empty Value; add <Override Locale="${REQUIRED_LOCALE}" Value="..."/>.`,
    );
  }
  for (const { where, value } of values) {
    if (value.trim() === '') {
      errors.push(`WORKLINK_MANIFEST_STRING_EMPTY: ${where} has an empty value; write the text.`);
    } else if (limit !== undefined && value.length > limit) {
      errors.push(
        `WORKLINK_MANIFEST_STRING_TOO_LONG: ${where} is ${value.length} characters, over the schema's maximum of ${limit}; shorten it.`,
      );
    }
  }
}

/** Checks that DisplayName, Description and every string resource have a pl-PL override. */
export function checkTranslations(context: ManifestContext): string[] {
  const errors: string[] = [];
  const topLevel = childElements(context.root);

  for (const name of ['DisplayName', 'Description']) {
    const element = topLevel.find((child) => child.localName === name);
    if (!element) {
      errors.push(
        `WORKLINK_MANIFEST_ELEMENT_MISSING: <OfficeApp> has no <${name}>; add it with a ${REQUIRED_LOCALE} override.`,
      );
      continue;
    }
    checkLocalisedValue(element, name === 'DisplayName' ? MAX_LENGTH.ShortString : MAX_LENGTH.LongString, errors);
  }

  for (const group of ['ShortStrings', 'LongStrings'] as const) {
    const limit = group === 'ShortStrings' ? MAX_LENGTH.ShortString : MAX_LENGTH.LongString;
    for (const container of descendants(context.root, group)) {
      for (const entry of childElements(container)) checkLocalisedValue(entry, limit, errors);
    }
  }
  return errors;
}

/**
 * Checks the ids and wiring that other parts of Worklink rely on: the two task pane buttons,
 * one OnMessageSend launch event, and a runtime with a JavaScript override for classic Outlook.
 */
export function checkWiring(context: ManifestContext): string[] {
  const errors: string[] = [];
  const buttons: Array<[string, string]> = [
    ['MessageComposeCommandSurface', 'WorklinkComposePaneButton'],
    ['MessageReadCommandSurface', 'WorklinkReadPaneButton'],
  ];

  for (const [surface, id] of buttons) {
    const control = descendants(context.root, 'Control').find((element) => element.getAttribute('id') === id);
    const action = control ? childElements(control).find((child) => child.localName === 'Action') : undefined;
    if (!control || !closestAncestor(control, 'ExtensionPoint', surface)) {
      errors.push(
        `WORKLINK_MANIFEST_CONTROL_MISSING: no <Control id="${id}"> in the ${surface} extension point; the task pane and Smart Alerts use this id.`,
      );
    } else if (!action || xsiType(action) !== 'ShowTaskpane') {
      errors.push(`WORKLINK_MANIFEST_CONTROL_ACTION: <Control id="${id}"> must have <Action xsi:type="ShowTaskpane">.`);
    }
  }

  const launchEvents = descendants(context.root, 'LaunchEvent');
  const onSend = launchEvents.filter((element) => element.getAttribute('Type') === 'OnMessageSend');
  if (onSend.length !== 1) {
    errors.push(
      `WORKLINK_MANIFEST_LAUNCH_EVENT: expected one <LaunchEvent Type="OnMessageSend">, found ${onSend.length}; declare it once.`,
    );
  }
  for (const event of onSend) {
    if (event.getAttribute('SendMode') !== 'PromptUser') {
      errors.push(
        `WORKLINK_MANIFEST_SEND_MODE: ${describeElement(event)} has SendMode="${event.getAttribute('SendMode') ?? ''}"; Worklink uses PromptUser so that mail still goes out when the add-in is unavailable.`,
      );
    }
  }

  const runtimes = descendants(context.root, 'Runtime');
  const runtime = runtimes[0];
  const scriptOverride = runtime
    ? childElements(runtime).find(
        (child) => child.localName === 'Override' && child.getAttribute('type') === 'javascript',
      )
    : undefined;
  if (runtimes.length !== 1 || !runtime || !scriptOverride) {
    errors.push(
      `WORKLINK_MANIFEST_RUNTIME: expected one <Runtime> with <Override type="javascript">, found ${runtimes.length} runtime(s); classic Outlook on Windows loads the handler from that override.`,
    );
  }

  const launchPoint = descendants(context.root, 'ExtensionPoint').find((element) => xsiType(element) === 'LaunchEvent');
  const source = launchPoint
    ? childElements(launchPoint).find((child) => child.localName === 'SourceLocation')
    : undefined;
  if (runtime && source && source.getAttribute('resid') !== runtime.getAttribute('resid')) {
    errors.push(
      `WORKLINK_MANIFEST_RUNTIME_MISMATCH: the LaunchEvent ${describeElement(source)} must name the same resource as ${describeElement(runtime)}.`,
    );
  }
  return errors;
}

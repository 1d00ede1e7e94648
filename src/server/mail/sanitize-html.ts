import sanitizeHtml from 'sanitize-html';
import type { IOptions } from 'sanitize-html';

export interface SanitizeOptions {
  /**
   * Keeps `http:` and `https:` image sources. Off by default because a remote
   * image reveals to the sender when and where the message was opened.
   */
  allowRemoteImages?: boolean;
}

const allowedTags = [
  ...sanitizeHtml.defaults.allowedTags.filter((tag) => tag !== 'img'),
  'img',
  'font',
  'center',
  'u',
  's',
];

function optionsFor(allowRemoteImages: boolean): IOptions {
  return {
    allowedTags,
    // No `style` and no `on*` handlers: CSS can load remote resources and handlers run script.
    allowedAttributes: {
      a: ['href', 'name', 'title', 'rel', 'target'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      font: ['color', 'face', 'size'],
      td: ['colspan', 'rowspan', 'align', 'valign'],
      th: ['colspan', 'rowspan', 'align', 'valign'],
      table: ['border', 'cellpadding', 'cellspacing', 'width'],
      '*': ['dir', 'lang'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    // Inline parts (`cid:`) and embedded images (`data:`) load nothing from the network.
    allowedSchemesByTag: { img: allowRemoteImages ? ['cid', 'data', 'http', 'https'] : ['cid', 'data'] },
    allowProtocolRelative: false,
    // Drops the element together with its text, so `<script>alert(1)</script>` leaves nothing behind.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head'],
    exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
    transformTags: {
      a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer', target: '_blank' }),
    },
    allowedSchemesAppliedToAttributes: ['href', 'src'],
  };
}

const defaultOptions = optionsFor(false);
const remoteImageOptions = optionsFor(true);

/**
 * Sanitises the HTML body of an inbound message for display in the task
 * pane: no scripts, no event handlers, no styles, and no remote images
 * unless `allowRemoteImages` is set.
 */
export function sanitizeMessageHtml(html: string, options: SanitizeOptions = {}): string {
  return sanitizeHtml(html, options.allowRemoteImages ? remoteImageOptions : defaultOptions);
}

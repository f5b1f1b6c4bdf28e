import { gfm } from '@joplin/turndown-plugin-gfm';
import TurndownService from 'turndown';

/**
 * Tasker's HTML as agents read it: Markdown. What Markdown cannot carry (mentions, uploaded
 * images, embedded issues, tables with merged cells, colours, underline, other editor blocks) is
 * shown as a readable placeholder and named in `richContent`, so a tool can refuse to overwrite it
 * unnoticed.
 */
export const RICH_CONTENT_KINDS = ['mention', 'image', 'embed', 'table', 'formatting'] as const;
export type RichContentKind = (typeof RICH_CONTENT_KINDS)[number];

export interface MarkdownView {
  markdown: string;
  /** Kinds of content present that Markdown cannot carry; empty when a round trip loses nothing. */
  richContent: RichContentKind[];
}

let found: Set<RichContentKind> | undefined;
const note = (kind: RichContentKind) => found?.add(kind);

const attribute = (node: TurndownService.Node, name: string) => (node as unknown as Element).getAttribute?.(name) ?? '';

/** Plane's editor components are empty elements; turndown would drop them as blank. */
function component(node: TurndownService.Node): string | undefined {
  switch (node.nodeName) {
    case 'MENTION-COMPONENT':
      note('mention');
      return `@${attribute(node, 'label') || attribute(node, 'entity_identifier')}`;
    case 'IMAGE-COMPONENT':
      note('image');
      return '[image]';
    case 'IMG': {
      const src = attribute(node, 'src');
      // A plain image with a web address is Markdown; an uploaded asset (an id) is not.
      if (/^https?:\/\//.test(src)) return `![${attribute(node, 'alt')}](${src})`;
      note('image');
      return '[image]';
    }
    default:
      if (node.nodeName.endsWith('-COMPONENT') || node.nodeName === 'IFRAME') {
        note('embed');
        const key = [attribute(node, 'project_identifier'), attribute(node, 'sequence_id')].filter(Boolean).join('-');
        return key ? `[embedded ${key}]` : '[embedded content]';
      }
      return undefined;
  }
}

const service = new TurndownService({
  headingStyle: 'atx',
  codeBlockStyle: 'fenced',
  bulletListMarker: '-',
  emDelimiter: '*',
  strongDelimiter: '**',
  hr: '---',
  blankReplacement: (_content, node) => component(node) ?? ((node as { isBlock?: boolean }).isBlock ? '\n\n' : ''),
});
service.use(gfm);

service.addRule('component', {
  filter: (node) => node.nodeName.endsWith('-COMPONENT') || node.nodeName === 'IMG' || node.nodeName === 'IFRAME',
  replacement: (_content, node) => component(node) ?? '',
});

/** A table Markdown cannot hold (merged cells): its rows as text, flagged. */
service.addRule('merged-table', {
  filter: (node) => node.nodeName === 'TABLE' && (node as unknown as Element).querySelector?.('[colspan],[rowspan]') != null,
  replacement: (_content, node) => {
    note('table');
    // domino's node lists are array-like, not iterable.
    const rows = Array.from((node as unknown as Element).getElementsByTagName('tr')).map((row) => {
      const cells = Array.from(row.childNodes).filter((cell) => cell.nodeName === 'TD' || cell.nodeName === 'TH');
      return `| ${cells.map((cell) => (cell.textContent ?? '').trim()).join(' | ')} |`;
    });
    return `\n\n${rows.join('\n')}\n\n`;
  },
});
service.addRule('formatting', {
  filter: (node) =>
    node.nodeName === 'U' || node.nodeName === 'MARK' || (node.nodeName === 'SPAN' && attribute(node, 'style') !== '') || node.nodeName === 'FONT',
  replacement: (content) => {
    note('formatting');
    return content;
  },
});

/**
 * Plane's components are empty elements; turndown collapses the whitespace around an empty inline
 * element ("Hi <mention/>" would read "Hi@…"), so each gets a zero-width space to hold its place.
 */
const EMPTY_COMPONENT = /<([a-z][a-z0-9]*-component)\b([^>]*?)\s*(?:\/>|>\s*<\/\1>)/gi;

/** HTML → Markdown, naming anything Markdown had to leave behind. */
export function htmlToMarkdown(html: string): MarkdownView {
  found = new Set();
  try {
    const markdown = service.turndown(html.replace(EMPTY_COMPONENT, '<$1$2>&#8203;</$1>')).trim();
    // A table whose cells hold blocks, or that the GFM rule kept as HTML, did not survive either.
    if (/<table/i.test(markdown)) found.add('table');
    return { markdown, richContent: RICH_CONTENT_KINDS.filter((kind) => found?.has(kind)) };
  } finally {
    found = undefined;
  }
}

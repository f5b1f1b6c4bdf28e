export { htmlToMarkdown, type MarkdownView, RICH_CONTENT_KINDS, type RichContentKind } from './html-to-markdown.js';
export { markdownToHtml } from './markdown-to-html.js';

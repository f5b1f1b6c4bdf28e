import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/**
 * Agents write Markdown; Tasker (Plane) stores HTML. markdown-it renders with raw HTML switched
 * off, so any tag an agent types is text, never markup; sanitize-html then keeps only the tags and
 * attributes Plane's editor itself produces, a second fence should a renderer rule ever change.
 */
// A single newline is a line break, as in GitHub comments: agents write it that way.
const markdown = new MarkdownIt({ html: false, linkify: true, breaks: true });

const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 's', 'code', 'pre', 'blockquote',
  'ul', 'ol', 'li', 'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
];

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: { a: ['href', 'title'], img: ['src', 'alt', 'title'], code: ['class'], ol: ['start'], th: ['style'], td: ['style'] },
  allowedClasses: { code: [/^language-[\w+-]+$/] },
  allowedStyles: { th: { 'text-align': [/^(left|right|center)$/] }, td: { 'text-align': [/^(left|right|center)$/] } },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
};

/** Markdown → the sanitized HTML Tasker stores (`<p></p>` for nothing, as Plane keeps it). */
export function markdownToHtml(source: string): string {
  const html = sanitizeHtml(markdown.render(source), SANITIZE).trim();
  return html === '' ? '<p></p>' : html.replace(/>\n+</g, '><');
}

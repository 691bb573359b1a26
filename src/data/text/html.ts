/**
 * HTML clean-up for scraped review text (IMDB keeps its original `<br /><br />` line breaks).
 */

/**
 * HTML line breaks and simple formatting tags (`<br />`, `<i>`, `</em>`, `<hr>` …) become a space.
 * Only known tag names are matched so that text such as "<3" or "a < b" survives.
 */
const HTML_TAG = /<\/?(?:br|i|em|b|u|p|hr|strong|div|span|a|font|s|strike|sup|sub|tt|small|big)\b[^<>]{0,200}>/gi;
const ENTITY = /&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|(amp|lt|gt|quot|apos|nbsp));/gi;
const NAMED: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** Replace HTML tags (IMDB's `<br /><br />`) with spaces and decode the common character entities. */
export function stripHtml(text: string): string {
  if (text.indexOf("<") >= 0) text = text.replace(HTML_TAG, " ");
  if (text.indexOf("&") >= 0) {
    text = text.replace(ENTITY, (m, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
      if (name !== undefined) return NAMED[name.toLowerCase()] ?? m;
      const cp = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex!, 16);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    });
  }
  return text;
}

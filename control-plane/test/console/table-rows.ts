/** A page's HTML read as a person reads it: text without tags, entities decoded. */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&")
    .replace(/\s+/g, " ")
    .trim();
}

/** An attribute's value as the browser reads it (Hono escapes `&` in URLs as `&amp;`). */
export const attribute = (value: string) => value.replaceAll("&amp;", "&");

/** The body rows of the page's tables: each row's cells (`th` and `td`) as text, and its raw HTML. */
export function rowsOf(html: string): { cells: string[]; html: string }[] {
  const body = [...html.matchAll(/<tbody>(.*?)<\/tbody>/gs)].map((match) => match[1] ?? "").join("");
  return [...body.matchAll(/<tr>(.*?)<\/tr>/gs)].map((row) => {
    const inner = row[1] ?? "";
    const cells = [...inner.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((cell) => textOf(cell[1] ?? ""));
    return { cells, html: inner };
  });
}

/** The `href` of the link with this text, if the page has one. */
export function linkTo(html: string, text: string): string | undefined {
  for (const match of html.matchAll(/<a [^>]*href="([^"]*)"[^>]*>(.*?)<\/a>/gs)) {
    if (textOf(match[2] ?? "") === text) return attribute(match[1] ?? "");
  }
  return undefined;
}

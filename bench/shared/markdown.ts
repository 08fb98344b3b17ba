import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../scripts/lib/wrangler-dev.ts";

/** The page the benches write their figures into (the scaling bench: docs/scaling.md, its section's `file`). */
export const DOCS_PATH = path.join(REPO_ROOT, "docs/benchmarks.md");

/** A whole number as a report writes it: 12,345. */
export const int = (n: number) => Math.round(n).toLocaleString("en-US");
/** A share (0 to 1) as a report writes it: 42 %. */
export const pct = (share: number) => `${(share * 100).toFixed(0)} %`;

/** A markdown table with padded columns (as Biome formats one): the first left-aligned, the others right. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(" | ")} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`;
  return [line(header), rule, ...rows.map(line)];
}

/** Each bench's section of docs/benchmarks.md: the name in its markers, and the heading it goes under. */
export const DOC_SECTIONS = {
  namespace: { name: "namespace", heading: "## The dispatch namespace under load\n\n### Figures" },
  namespaceRunners: {
    name: "runners",
    heading: "## The dispatch namespace through tenant runners\n\n### Figures",
  },
  dispatcher: { name: "dispatcher", heading: "## The dispatcher\n\n### Figures" },
  onboarding: { name: "onboarding", heading: "## Onboarding\n\n### Figures" },
  objects: { name: "objects", heading: "## Tenants' Durable Objects\n\n### Figures" },
  scaling: { name: "scaling", heading: "## The measured curve", file: "docs/scaling.md" },
} as const;

export type DocSection = (typeof DOC_SECTIONS)[keyof typeof DOC_SECTIONS];

/** The page a section lives in: docs/benchmarks.md, unless it names another `file`. */
export const docsPathOf = (section: DocSection): string =>
  "file" in section ? path.join(REPO_ROOT, section.file) : DOCS_PATH;

/** The markers around a bench's generated section of docs/benchmarks.md. */
export const sectionMarkers = (name: string) => ({
  start: `<!-- bench:${name}:start -->`,
  end: `<!-- bench:${name}:end -->`,
});

/** Where `text` occurs in `doc`. */
function occurrences(doc: string, text: string): number[] {
  const found: number[] = [];
  for (let at = doc.indexOf(text); at !== -1; at = doc.indexOf(text, at + text.length)) found.push(at);
  return found;
}

/**
 * `doc` with what lies between the section's two markers replaced by `markdown`,
 * and every other byte as it was: each bench owns its section only, and the
 * hand-written text and the other benches' sections around it are kept. A doc
 * without the markers gets them at its end, under `heading`. Markers that are
 * not exactly one start followed by one end are refused, not guessed at: the
 * doc is then left for a person to mend.
 */
export function replaceSection(doc: string, { name, heading }: DocSection, markdown: string): string {
  const { start, end } = sectionMarkers(name);
  const starts = occurrences(doc, start);
  const ends = occurrences(doc, end);
  if (starts.length === 0 && ends.length === 0)
    return `${doc.trimEnd()}\n\n${heading}\n\n${start}\n${markdown}\n${end}\n`;
  const [from] = starts;
  const [to] = ends;
  if (starts.length !== 1 || ends.length !== 1 || from === undefined || to === undefined || to < from) {
    throw new Error(`the ${start} ... ${end} section is broken: ${starts.length} start and ${ends.length} end markers`);
  }
  return `${doc.slice(0, from + start.length)}\n${markdown}\n${doc.slice(to)}`;
}

/** Writes `markdown` as `section` of its page (see replaceSection). */
export function writeDocsSection(section: DocSection, markdown: string): void {
  const file = docsPathOf(section);
  writeFileSync(file, replaceSection(readFileSync(file, "utf8"), section, markdown));
}

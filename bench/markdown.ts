import { readFileSync, writeFileSync } from "node:fs";
import { DOCS_PATH } from "./report.ts";

/** A markdown table with padded columns (as Biome formats one): the first left-aligned, the others right. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(" | ")} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`;
  return [line(header), rule, ...rows.map(line)];
}

/**
 * Puts `markdown` between `<!-- bench:<name>:start -->` and its end marker in
 * docs/benchmarks.md, leaving the hand-written text around it alone. A doc
 * without the markers gets them at its end, under `heading`.
 */
export function writeDocsSection(name: string, heading: string, markdown: string): void {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const doc = readFileSync(DOCS_PATH, "utf8");
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from === -1 && to === -1) {
    writeFileSync(DOCS_PATH, `${doc.trimEnd()}\n\n${heading}\n\n${start}\n${markdown}\n${end}\n`);
    return;
  }
  if (from === -1 || to < from) throw new Error(`${DOCS_PATH} has a broken ${start} ... ${end} section`);
  writeFileSync(DOCS_PATH, `${doc.slice(0, from + start.length)}\n${markdown}\n${doc.slice(to)}`);
}

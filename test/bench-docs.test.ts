import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DOC_SECTIONS, docsPathOf, replaceSection, sectionMarkers } from "../bench/shared/markdown.ts";

// Each bench's `--write-docs` replaces its own section of docs/benchmarks.md (the scaling
// bench: of docs/scaling.md) (bench/shared/markdown.ts); the hand-written text and the other
// benches' figures around it are kept.

const sections = Object.values(DOC_SECTIONS);

/** A doc holding every bench's section, each between hand-written text. */
function fullDoc(): string {
  const parts = ["# Benchmarks", "", "Intro, by hand."];
  for (const { name, heading } of sections) {
    const { start, end } = sectionMarkers(name);
    parts.push("", heading, "", `How to run the ${name} bench, by hand.`, "", start, `old ${name} figures`, end);
    parts.push("", `Reading of the ${name} figures, by hand.`);
  }
  return `${parts.join("\n")}\n`;
}

describe("replaceSection", () => {
  it.each(sections)("replaces the $name section only, every other byte kept", (section) => {
    const doc = fullDoc();
    const written = replaceSection(doc, section, "new figures\n| a | b |");
    const { start, end } = sectionMarkers(section.name);
    expect(written.replace(/<!-- bench:(\w+):start -->\n[\s\S]*?\n<!-- bench:\1:end -->/g, "")).toBe(
      doc.replace(/<!-- bench:(\w+):start -->\n[\s\S]*?\n<!-- bench:\1:end -->/g, ""),
    );
    expect(written).toContain(`${start}\nnew figures\n| a | b |\n${end}`);
    for (const other of sections.filter((s) => s.name !== section.name)) {
      expect(written).toContain(`old ${other.name} figures`);
    }
  });

  it("keeps every section however the benches take turns", () => {
    let doc = fullDoc();
    for (const section of [...sections, ...sections.toReversed()]) {
      doc = replaceSection(doc, section, `figures of ${section.name}`);
    }
    for (const { name } of sections) {
      const { start, end } = sectionMarkers(name);
      expect(doc).toContain(`${start}\nfigures of ${name}\n${end}`);
      expect(doc).toContain(`Reading of the ${name} figures, by hand.`);
    }
  });

  it("puts a missing section at the end under its heading, then replaces it there", () => {
    const once = replaceSection("# Benchmarks\n\nIntro.\n", DOC_SECTIONS.dispatcher, "first");
    const { start, end } = sectionMarkers("dispatcher");
    expect(once).toBe(`# Benchmarks\n\nIntro.\n\n${DOC_SECTIONS.dispatcher.heading}\n\n${start}\nfirst\n${end}\n`);
    expect(replaceSection(once, DOC_SECTIONS.dispatcher, "second")).toBe(once.replace("first", "second"));
  });

  it.each([
    ["a start without an end", (s: string, _e: string) => `${s}\nx\n`],
    ["an end before its start", (s: string, e: string) => `${e}\nx\n${s}\n`],
    ["two starts", (s: string, e: string) => `${s}\n${s}\nx\n${e}\n`],
    ["two sections", (s: string, e: string) => `${s}\nx\n${e}\n${s}\ny\n${e}\n`],
  ])("refuses %s, rather than guess what to replace", (_, broken) => {
    const { start, end } = sectionMarkers("onboarding");
    expect(() => replaceSection(broken(start, end), DOC_SECTIONS.onboarding, "new")).toThrow(/section is broken/);
  });
});

describe("docs/benchmarks.md and docs/scaling.md", () => {
  it.each(sections)("has the $name bench's section once, with figures, its command and the machine", (section) => {
    const doc = readFileSync(docsPathOf(section), "utf8");
    const { start, end } = sectionMarkers(section.name);
    expect(doc.split(start)).toHaveLength(2);
    expect(doc.split(end)).toHaveLength(2);
    const figures = doc.slice(doc.indexOf(start) + start.length, doc.indexOf(end));
    expect(figures).toMatch(/Measured \d{4}-\d{2}-\d{2} with `npm run bench[^`]*`/);
    expect(figures).toMatch(/\d+ × .+ GiB RAM/);
  });

  it("docs/scaling.md's figures have a column per size and the growth from the first size to the last", () => {
    const { start, end } = sectionMarkers(DOC_SECTIONS.scaling.name);
    const doc = readFileSync(docsPathOf(DOC_SECTIONS.scaling), "utf8");
    const figures = doc.slice(doc.indexOf(start) + start.length, doc.indexOf(end));
    expect(figures).toMatch(/^\| Measure +\|( +[\d,]+ tenants \|){2,} +[\d,]+ ÷ [\d,]+ \|$/m);
    expect(figures).toMatch(/Cloudflare API calls per tenant/);
  });
});

import { describe, expect, it } from "vitest";
import type { CallPriority } from "../../src/cloudflare/call-priority";
import { WaitingLine } from "../../src/cloudflare/waiting-line";

type Entry = { label: string; priority: CallPriority; arrival: number };
const entry = (label: string, priority: CallPriority, arrival: number): Entry => ({ label, priority, arrival });

/** Empties the line, first served first. */
function served(line: WaitingLine<Entry>): string[] {
  const labels: string[] = [];
  for (let next = line.shift(); next !== undefined; next = line.shift()) labels.push(next.label);
  return labels;
}

describe("the budget's waiting line", () => {
  it("serves requests first, then operations oldest first, then in order of arrival", () => {
    const line = new WaitingLine<Entry>();
    line.add(entry("op 30", { class: "operation", since: 30 }, 0));
    line.add(entry("request 50", { class: "request", since: 50 }, 1));
    line.add(entry("op 10", { class: "operation", since: 10 }, 2));
    line.add(entry("op 30, later", { class: "operation", since: 30 }, 3));
    line.add(entry("request 40", { class: "request", since: 40 }, 4));
    line.add(entry("op 20", { class: "operation", since: 20 }, 5));
    expect(line.size).toBe(6);
    expect(line.first()?.label).toBe("request 40");
    expect(served(line)).toEqual(["request 40", "request 50", "op 10", "op 20", "op 30", "op 30, later"]);
  });

  it("takes out one that leaves, and only once", () => {
    const line = new WaitingLine<Entry>();
    const leaving = entry("leaving", { class: "operation", since: 1 }, 0);
    line.add(leaving);
    line.add(entry("staying", { class: "operation", since: 2 }, 1));
    expect(line.remove(leaving)).toBe(true);
    expect(line.remove(leaving)).toBe(false);
    expect(served(line)).toEqual(["staying"]);
  });
});

import { describe, expect, it } from "vitest";
import { oneAtATime } from "../src/one-at-a-time";

describe("oneAtATime", () => {
  it("starts each piece of work only once the one before has settled, failed or not", async () => {
    const queue = oneAtATime();
    const events: string[] = [];
    let release = () => {};
    const first = queue(async () => {
      events.push("first starts");
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      events.push("first fails");
      throw new Error("first");
    });
    const second = queue(async () => {
      events.push("second starts");
      return 2;
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(events).toEqual(["first starts"]);
    release();
    await expect(first).rejects.toThrow("first");
    expect(await second).toBe(2);
    expect(events).toEqual(["first starts", "first fails", "second starts"]);
  });
});

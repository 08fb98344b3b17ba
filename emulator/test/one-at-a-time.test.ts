import { describe, expect, it } from "vitest";
import { atMostAtOnce, oneAtATime } from "../src/one-at-a-time";

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

  it("atMostAtOnce(n) runs n pieces side by side and no more", async () => {
    const queue = atMostAtOnce(2);
    let running = 0;
    let most = 0;
    const work = async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
    };
    await Promise.all(Array.from({ length: 7 }, () => queue(work)));
    expect(most).toBe(2);
  });
});

import { describe, expect, it } from "vitest";
import { WorkPriority } from "../../src/operations/work-priority";

const operation = { id: "operation-1", created_at: "2026-12-07T01:00:00.000Z" };
const createdAt = Date.parse(operation.created_at);

describe("a tenant object's place in the API budget's line", () => {
  it("a step's calls are as old as its operation, and a background call between steps as old as its ask", async () => {
    const priority = new WorkPriority();
    const during = await priority.within(operation, async () => [priority.source(), priority.source()]);
    // Every call of the step, a retry included, asks with the operation's age.
    expect(during).toEqual([
      { class: "operation", since: createdAt },
      { class: "operation", since: createdAt },
    ]);
    const before = Date.now();
    const between = priority.source();
    expect(between.class).toBe("operation");
    expect(between.since).toBeGreaterThanOrEqual(before);
  });

  it("goes ahead of background calls while a request waits on the object, and no longer once it has its answer", async () => {
    const priority = new WorkPriority();
    const { promise: answered, resolve: answer } = Promise.withResolvers<void>();
    const waiting = priority.awaited(answered);
    const asked = await priority.within(operation, async () => priority.source());
    expect(asked).toEqual({ class: "request", since: createdAt });
    answer();
    await waiting;
    expect(await priority.within(operation, async () => priority.source())).toEqual({
      class: "operation",
      since: createdAt,
    });
  });

  it("names its operation and the steps after the running one once told, for the budget's claims", async () => {
    const priority = new WorkPriority();
    const asked = await priority.within(operation, async () => {
      const untold = priority.source();
      priority.stepsAfter(3);
      return [untold, priority.source()];
    });
    expect(asked).toEqual([
      { class: "operation", since: createdAt },
      { class: "operation", since: createdAt, work: { id: "operation-1", later: 3 } },
    ]);
    // The next step starts untold again, and between steps a call belongs to no operation.
    expect(await priority.within(operation, async () => priority.source())).toEqual({
      class: "operation",
      since: createdAt,
    });
    expect(priority.source().work).toBeUndefined();
  });

  it("a step that fails leaves no age behind, and a request given up on no precedence", async () => {
    const priority = new WorkPriority();
    await expect(
      priority.within(operation, async () => {
        throw new Error("the step failed");
      }),
    ).rejects.toThrow("the step failed");
    await expect(priority.awaited(Promise.reject(new Error("gave up")))).rejects.toThrow("gave up");
    const after = priority.source();
    expect(after.class).toBe("operation");
    expect(after.since).not.toBe(createdAt);
  });
});

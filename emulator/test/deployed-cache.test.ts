import { describe, expect, it } from "vitest";
import {
  cachedDeployment,
  type DeployedAnswer,
  forgetDeployed,
  isDeployedKept,
  isolateToken,
} from "../src/dispatch/deployed-cache";
import type { DeployedScript } from "../src/scripts/deployed-script";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const deployed: DeployedScript = { shares: [], versions: [] };

/** A store lookup the test answers when it chooses, counting how often it was asked. */
function heldLookup() {
  let answer: (a: DeployedAnswer) => void = () => undefined;
  let asked = 0;
  const lookUp = () => {
    asked += 1;
    return new Promise<DeployedAnswer>((resolve) => (answer = resolve));
  };
  return { lookUp, answer: (a: DeployedAnswer) => answer(a), asked: () => asked };
}

describe("the deployed-script cache", () => {
  it("asks once for requests that arrive while a lookup is out, then keeps the answer", async () => {
    const held = heldLookup();
    const first = cachedDeployment(ACCOUNT, "ns-a", "w", held.lookUp);
    const second = cachedDeployment(ACCOUNT, "ns-a", "w", held.lookUp);
    held.answer({ deployed, isolate: isolateToken() });
    expect(await first).toBe(deployed);
    expect(await second).toBe(deployed);
    expect(held.asked()).toBe(1);
    expect(isDeployedKept(ACCOUNT, "ns-a", "w")).toBe(true);
    expect(await cachedDeployment(ACCOUNT, "ns-a", "w", held.lookUp)).toBe(deployed);
    expect(held.asked()).toBe(1);
  });

  it("does not keep a lookup that was out when its script changed: it may have read the script before", async () => {
    const held = heldLookup();
    const pending = cachedDeployment(ACCOUNT, "ns-b", "w", held.lookUp);
    forgetDeployed("ns-b", "w");
    held.answer({ deployed, isolate: isolateToken() });
    expect(await pending).toBe(deployed);
    expect(isDeployedKept(ACCOUNT, "ns-b", "w")).toBe(false);
    // And a request after the change asks again rather than join the old lookup.
    const again = heldLookup();
    const next = cachedDeployment(ACCOUNT, "ns-b", "w", again.lookUp);
    again.answer({ deployed: null, isolate: isolateToken() });
    expect(await next).toBeNull();
    expect(again.asked()).toBe(1);
  });

  it("uses but does not keep an answer from a store in another isolate, which could not tell it of changes", async () => {
    const held = heldLookup();
    const pending = cachedDeployment(ACCOUNT, "ns-c", "w", held.lookUp);
    held.answer({ deployed, isolate: "another isolate" });
    expect(await pending).toBe(deployed);
    expect(isDeployedKept(ACCOUNT, "ns-c", "w")).toBe(false);
  });

  it("forgets a whole namespace, and nothing of another", async () => {
    for (const script of ["a", "b"]) {
      for (const ns of ["ns-d", "ns-e"]) {
        await cachedDeployment(ACCOUNT, ns, script, async () => ({ deployed, isolate: isolateToken() }));
      }
    }
    forgetDeployed("ns-d", null);
    expect(isDeployedKept(ACCOUNT, "ns-d", "a")).toBe(false);
    expect(isDeployedKept(ACCOUNT, "ns-d", "b")).toBe(false);
    expect(isDeployedKept(ACCOUNT, "ns-e", "a")).toBe(true);
    expect(isDeployedKept(ACCOUNT, "ns-e", "b")).toBe(true);
  });

  it("lets a failed lookup fail its requests and keeps nothing", async () => {
    const failing = () => Promise.reject(new Error("store unreachable"));
    await expect(cachedDeployment(ACCOUNT, "ns-f", "w", failing)).rejects.toThrow("store unreachable");
    expect(isDeployedKept(ACCOUNT, "ns-f", "w")).toBe(false);
  });
});

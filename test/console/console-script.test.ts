import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { CONSOLE_JS } from "../../control-plane/src/console/script.ts";

// The console's script is a string the control plane serves; nothing else parses it before a browser does.
describe("the console's script", () => {
  it("is JavaScript a browser can parse (a typo in the string would break every page's live parts)", () => {
    expect(() => new vm.Script(CONSOLE_JS, { filename: "console.js" })).not.toThrow();
  });

  it("runs on a page with nothing to follow without touching the network", () => {
    const fetches: unknown[] = [];
    const context = vm.createContext({
      document: { querySelectorAll: () => [], visibilityState: "visible" },
      location: { href: "http://127.0.0.1:8788/console/tenants" },
      fetch: (...args: unknown[]) => fetches.push(args),
      EventSource: class {},
      setTimeout: () => 0,
    });
    new vm.Script(CONSOLE_JS).runInContext(context);
    expect(fetches).toEqual([]);
  });
});

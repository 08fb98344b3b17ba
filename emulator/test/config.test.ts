import { describe, expect, it } from "vitest";
import { emulatorConfig } from "../src/config";

const TOKEN = { EMULATOR_API_TOKEN: "one, two ,," };

describe("the emulator's configuration", () => {
  it("gives each var its documented default when unset", () => {
    expect(emulatorConfig({ ...TOKEN })).toEqual({
      EMULATOR_API_TOKEN: ["one", "two"],
      RATE_LIMIT_ENABLED: false,
      RATE_LIMIT_REQUESTS: 1200,
      RATE_LIMIT_WINDOW_SECONDS: 300,
      MAX_LOADED_WORKERS: 200,
      LOADED_WORKER_MIN_IDLE_MS: 5000,
      D1_QUERY_LIMIT_MS: 30_000,
      STARTUP_LIMIT_MS: 1000,
      RUNNER_URLS: [],
    });
  });

  it("reads the runners' URLs from a comma-separated list", () => {
    const config = emulatorConfig({ ...TOKEN, RUNNER_URLS: " http://127.0.0.1:4001, http://127.0.0.1:4002 ," });
    expect(config.RUNNER_URLS).toEqual(["http://127.0.0.1:4001", "http://127.0.0.1:4002"]);
  });

  it("reads numbers and switches from their strings", () => {
    const config = emulatorConfig({ ...TOKEN, RATE_LIMIT_ENABLED: "true", STARTUP_LIMIT_MS: "60000" });
    expect(config.RATE_LIMIT_ENABLED).toBe(true);
    expect(config.STARTUP_LIMIT_MS).toBe(60_000);
  });

  it.each([
    ["STARTUP_LIMIT_MS", "0"],
    ["STARTUP_LIMIT_MS", "1.5"],
    ["D1_QUERY_LIMIT_MS", "soon"],
    ["MAX_LOADED_WORKERS", ""],
    ["LOADED_WORKER_MIN_IDLE_MS", "-5"],
    ["RATE_LIMIT_ENABLED", "yes"],
    ["RUNNER_URLS", "127.0.0.1:4001"],
    ["RUNNER_URLS", "https://127.0.0.1:4001"],
  ])("refuses %s=%j, naming the var, rather than run with a guess", (name, value) => {
    expect(() => emulatorConfig({ ...TOKEN, [name]: value })).toThrow(
      new RegExp(`^invalid emulator configuration: ${name}(\\.\\d+)?: `),
    );
  });

  it("refuses to start with no token var at all", () => {
    expect(() => emulatorConfig({})).toThrow(/^invalid emulator configuration: EMULATOR_API_TOKEN: /);
  });
});

import { env } from "cloudflare:test";
import { cases } from "./durable-objects.cases.js";
import casesSource from "./durable-objects.cases.js?raw";
import { runCases } from "./run-cases.js";
import { describeConformance, runThroughDispatch } from "./tenant-harness";

describeConformance("a tenant's Durable Objects behave as miniflare's own", cases, async () => ({
  real: await runCases(cases, (env as unknown as { REAL_OBJECTS: DurableObjectNamespace }).REAL_OBJECTS),
  dispatched: await runThroughDispatch({
    casesSource,
    binding: "durable_object_namespace",
    resource: async () => ({ class_name: "Probe" }),
    classes: ["Probe"],
  }),
}));

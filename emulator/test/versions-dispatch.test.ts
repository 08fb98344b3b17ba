import { describe, expect, it } from "vitest";
import { COMPATIBILITY_DATE } from "../../platform/compatibility-date";
import { parseStringDictionary } from "../src/dispatch/version-headers";
import { versionForObject } from "../src/durable-objects/versions";
import { chooseVersion, pointFor } from "../src/scripts/version-choice";
import { resultOf } from "./helpers";
import { createNamespace, upload } from "./scripts-helpers";
import { dispatch } from "./tenant";
import { createDeployment, deployLabelled, labelledVersion, uploadVersion } from "./versions-helpers";

/* What the namespace runs: its scripts' active deployments, one version per request. */

const labelOf = async (ns: string, script: string, headers: Record<string, string> = {}) => {
  const response = await dispatch(ns, script, new Request("http://tenant/", { headers }));
  return (await response.json<{ label: string }>()).label;
};

describe("a dispatched request", () => {
  it("runs the deployed version: an uploaded version runs only once it is deployed", async () => {
    const ns = await createNamespace();
    const one = (await deployLabelled(ns, "w", "one")).deployment_id;
    const two = await labelledVersion(ns, "w", "two");
    expect(await labelOf(ns, "w")).toBe("one");
    await resultOf(await createDeployment(ns, "w", [[two, 100]]));
    expect(await labelOf(ns, "w")).toBe("two");
    await resultOf(await createDeployment(ns, "w", [[one, 100]]));
    expect(await labelOf(ns, "w")).toBe("one");
  });

  it("of a 50/50 split is kept on one version by its version key, and both versions serve", async () => {
    const ns = await createNamespace();
    const one = (await deployLabelled(ns, "w", "one")).deployment_id;
    const two = await labelledVersion(ns, "w", "two");
    await resultOf(
      await createDeployment(ns, "w", [
        [one, 50],
        [two, 50],
      ]),
    );
    const keys = Array.from({ length: 24 }, (_, i) => `user-${i}`);
    const first = await Promise.all(keys.map((key) => labelOf(ns, "w", { "Cloudflare-Workers-Version-Key": key })));
    const again = await Promise.all(keys.map((key) => labelOf(ns, "w", { "Cloudflare-Workers-Version-Key": key })));
    expect(again).toEqual(first);
    expect(new Set(first)).toEqual(new Set(["one", "two"]));
    // The key reaches the tenant unchanged.
    const response = await dispatch(
      ns,
      "w",
      new Request("http://tenant/", { headers: { "Cloudflare-Workers-Version-Key": "k" } }),
    );
    expect((await response.json<{ key: string }>()).key).toBe("k");
  });

  it("is sent to a deployed version its override names, even at 0%, and an override of anything else is ignored", async () => {
    const ns = await createNamespace();
    const one = (await deployLabelled(ns, "w", "one")).deployment_id;
    const two = await labelledVersion(ns, "w", "two");
    const three = await labelledVersion(ns, "w", "three");
    await resultOf(
      await createDeployment(ns, "w", [
        [one, 100],
        [two, 0],
      ]),
    );
    const override = (id: string, script = "w") => ({ "Cloudflare-Workers-Version-Overrides": `${script}="${id}"` });
    expect(await labelOf(ns, "w", override(two))).toBe("two");
    expect(await labelOf(ns, "w", override(two.toUpperCase()))).toBe("two");
    expect(await labelOf(ns, "w", override(three))).toBe("one");
    expect(await labelOf(ns, "w", override(two, "other"))).toBe("one");
    expect(await labelOf(ns, "w", { "Cloudflare-Workers-Version-Overrides": `w=${two}` })).toBe("one");
    // A 0% version is never chosen by a key.
    for (const key of ["a", "b", "c", "d", "e", "f"]) {
      expect(await labelOf(ns, "w", { "Cloudflare-Workers-Version-Key": key })).toBe("one");
    }
  });
});

describe("a script's Durable Objects across deployments", () => {
  const counter = (label: string) => `import { DurableObject } from "cloudflare:workers";
export class Counter extends DurableObject {
  fetch() { const n = (this.ctx.storage.kv.get("n") ?? 0) + 1; this.ctx.storage.kv.put("n", n); return Response.json({ n, label: ${JSON.stringify(label)} }); }
}
export default { fetch(request, env) { return env.COUNTER.getByName(new URL(request.url).searchParams.get("name") ?? "a").fetch(request); } };`;
  const metadata = {
    main_module: "index.js",
    compatibility_date: COMPATIBILITY_DATE,
    bindings: [{ type: "durable_object_namespace" as const, name: "COUNTER", class_name: "Counter" }],
  };
  const count = async (ns: string, name = "a", key = "k") => {
    const request = new Request(`http://tenant/?name=${name}`, { headers: { "Cloudflare-Workers-Version-Key": key } });
    return (await dispatch(ns, "objects", request)).json<{ n: number; label: string }>();
  };
  /** A script whose objects count, deployed as "one" with a version "two" uploaded beside it. */
  const twoVersions = async () => {
    const ns = await createNamespace();
    const first = await resultOf<{ deployment_id: string }>(
      await upload(
        ns,
        "objects",
        { ...metadata, migrations: { new_tag: "v1", new_sqlite_classes: ["Counter"] } },
        { "index.js": { code: counter("one") } },
      ),
    );
    const second = await resultOf<{ id: string }>(
      await uploadVersion(ns, "objects", { ...metadata, keep_bindings: [] }, { "index.js": { code: counter("two") } }),
    );
    return { ns, one: first.deployment_id, two: second.id };
  };

  it("keep their storage, running the deployed version's class", async () => {
    const { ns, one, two } = await twoVersions();
    expect(await count(ns)).toEqual({ n: 1, label: "one" });
    await resultOf(await createDeployment(ns, "objects", [[two, 100]]));
    expect(await count(ns)).toEqual({ n: 2, label: "two" });
    await resultOf(await createDeployment(ns, "objects", [[one, 100]]));
    expect(await count(ns)).toEqual({ n: 3, label: "one" });
  });

  it("each run one version of a split, whichever version calls them, and all the deployed one after", async () => {
    const { ns, one, two } = await twoVersions();
    await resultOf(
      await createDeployment(ns, "objects", [
        [one, 50],
        [two, 50],
      ]),
    );
    const names = Array.from({ length: 16 }, (_, i) => `object-${i}`);
    // A version key that sends the caller to the first version of the split, and one to the second.
    const keys = Array.from({ length: 64 }, (_, i) => `key-${i}`);
    const keyOne = keys.find((key) => pointFor(key) < 50);
    const keyTwo = keys.find((key) => pointFor(key) >= 50);
    if (keyOne === undefined || keyTwo === undefined) throw new Error("no key for each version");
    const viaOne = await Promise.all(names.map((name) => count(ns, name, keyOne)));
    const viaTwo = await Promise.all(names.map((name) => count(ns, name, keyTwo)));
    expect(viaTwo.map((r) => r.label)).toEqual(viaOne.map((r) => r.label));
    expect(new Set(viaOne.map((r) => r.label))).toEqual(new Set(["one", "two"]));
    expect(viaTwo.map((r) => r.n)).toEqual(names.map(() => 2));

    await resultOf(await createDeployment(ns, "objects", [[two, 100]]));
    const after = await Promise.all(names.map((name) => count(ns, name, keyOne)));
    expect(after).toEqual(names.map(() => ({ n: 3, label: "two" })));
  });
});

describe("the version choice", () => {
  const split = [
    { version_id: "a", percentage: 30 },
    { version_id: "b", percentage: 70 },
  ];

  it("by key follows the deployment's cumulative percentages", () => {
    for (const key of Array.from({ length: 50 }, (_, i) => `k${i}`)) {
      expect(chooseVersion(split, { override: null, key })).toBe(pointFor(key) < 30 ? "a" : "b");
    }
    expect(chooseVersion(split, { override: null, key: null }, () => 0.29)).toBe("a");
    expect(chooseVersion(split, { override: null, key: null }, () => 0.31)).toBe("b");
  });

  it("keeps an object on its version when a later deployment grows that version's share in the same order", () => {
    const deployment = (b: number) => ({
      tag: "t",
      namespaces: ["ns"],
      versions: [
        { version_id: "b", percentage: b, etag: "eb" },
        { version_id: "a", percentage: 100 - b, etag: "ea" },
      ],
    });
    const ids = Array.from({ length: 200 }, (_, i) => `id-${i}`);
    const at = (b: number) => ids.map((id) => versionForObject(deployment(b), "ns", id).version_id);
    const [twenty, fifty, hundred] = [at(20), at(50), at(100)];
    twenty.forEach((version, i) => {
      if (version === "b") expect(fifty[i]).toBe("b");
    });
    expect(new Set(fifty)).toEqual(new Set(["a", "b"]));
    expect(new Set(hundred)).toEqual(new Set(["b"]));
  });

  it("reads the overrides header as an RFC 8941 dictionary of strings", () => {
    expect(parseStringDictionary('a="1", b="2";p=1, c=token, d')).toEqual(
      new Map([
        ["a", "1"],
        ["b", "2"],
      ]),
    );
    expect(parseStringDictionary('a="x\\"y"')).toEqual(new Map([["a", 'x"y']]));
    expect(parseStringDictionary('a="1",')).toEqual(new Map());
    expect(parseStringDictionary('a="unterminated')).toEqual(new Map());
    expect(parseStringDictionary("")).toEqual(new Map());
  });
});

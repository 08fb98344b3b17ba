import type { DeploymentVersion } from "../../../cloudflare-api/versions";

/**
 * Which of a deployment's versions serves one request (cloudflare-docs,
 * workers/configuration/versions-and-deployments/gradual-deployments: version
 * affinity, version overrides); a Durable Object's is hashed the same way (durable-objects/versions.ts).
 */
export interface VersionChoice {
  /** A version the request asks for (Cloudflare-Workers-Version-Overrides); honoured only if deployed. */
  override: string | null;
  /** Cloudflare-Workers-Version-Key: the same key gets the same version of one deployment. */
  key: string | null;
}

/** FNV-1a (32-bit) of the text's UTF-8 bytes: deterministic, and synchronous, unlike WebCrypto. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** A point in [0, 100) for `text`, to hundredths of a percent. */
export const pointFor = (text: string): number => (fnv1a(text) % 10_000) / 100;

/** The version whose cumulative share, in the deployment's order, covers `point`; a 0% version never does. */
export function versionAt(versions: readonly DeploymentVersion[], point: number): string {
  let upTo = 0;
  for (const version of versions) {
    upTo += version.percentage;
    if (version.percentage > 0 && point < upTo) return version.version_id;
  }
  // Rounding can leave the last hundredth uncovered: it belongs to the last version with traffic.
  const last = versions.filter((v) => v.percentage > 0).at(-1) ?? versions[0];
  if (last === undefined) throw new Error("a deployment without versions");
  return last.version_id;
}

/** The version to run for one request: an override of a deployed version, else by key, else at random by share. */
export function chooseVersion(
  versions: readonly DeploymentVersion[],
  choice: VersionChoice,
  random: () => number = Math.random,
): string {
  const override = choice.override?.toLowerCase();
  if (override !== undefined && versions.some((v) => v.version_id === override)) return override;
  return versionAt(versions, choice.key === null ? random() * 100 : pointFor(choice.key));
}

/** The version with the most traffic (the first of equals): what a script "runs" when no request chooses. */
export function largestShare(versions: readonly DeploymentVersion[]): string {
  const [first, ...rest] = versions;
  if (first === undefined) throw new Error("a deployment without versions");
  return rest.reduce((best, v) => (v.percentage > best.percentage ? v : best), first).version_id;
}

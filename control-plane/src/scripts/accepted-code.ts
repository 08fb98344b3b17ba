/**
 * Code the Cloudflare API accepted lately, so that a provisioning with the
 * same code spends no call on checking it again (one in six of an
 * onboarding's calls: operations/steps.ts, `check_script`). A platform's
 * tenants mostly start from the same code, the template, so under a burst of
 * onboardings this is most of the checks.
 *
 * What decides the check's answer is all in the marker's name: the check
 * sends the bundle's modules, its main module, its compatibility flags and
 * date, and no binding, var or secret (tenant-script.ts), so nothing else can
 * change it. The bundle's key is the SHA-256 of its content, flags and date
 * included (bundles.ts); the tenant's compatibility date, which the check
 * uses when the bundle has none, is in the name beside it. What the name
 * cannot hold is the API itself changing its mind (a new rule, a startup time
 * near the limit), hence the marker's age limit; and should the bound upload
 * refuse the code all the same, the provisioning fails and tears down what it
 * created, as for any refusal after the 202.
 *
 * Markers are empty R2 objects beside the bundles, in the SCRIPTS bucket; R2
 * notes when each was written (`uploaded`), which is the acceptance's time.
 * Only acceptances are noted: refused code is checked every time.
 */

/** The marker of a bundle (`bundles/<sha-256>.json`) accepted at a compatibility date. */
const markerKey = (scriptKey: string, compatibilityDate: string) => `accepted/${scriptKey}@${compatibilityDate}`;

/** Whether the API accepted the bundle at that date within the last `maxAgeMs` (0: never reuse a check). */
export async function acceptedLately(
  bucket: R2Bucket,
  scriptKey: string,
  compatibilityDate: string,
  maxAgeMs: number,
  now = Date.now(),
): Promise<boolean> {
  if (maxAgeMs === 0) return false;
  const marker = await bucket.head(markerKey(scriptKey, compatibilityDate));
  return marker !== null && now - marker.uploaded.getTime() < maxAgeMs;
}

/** The API just accepted the bundle at that date. */
export async function noteAccepted(bucket: R2Bucket, scriptKey: string, compatibilityDate: string): Promise<void> {
  await bucket.put(markerKey(scriptKey, compatibilityDate), new Uint8Array(0));
}

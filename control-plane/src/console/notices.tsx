import { useRequestContext } from "hono/jsx-renderer";

/**
 * What a page says after a form did something and sent the browser to it (303): a fixed text per
 * key, named in the URL (`?notice=created`). Only these texts can appear, so a link cannot make
 * the console say anything else.
 */
export const NOTICES = {
  created: "The tenant was created. It is being provisioned: this page follows it until it is active.",
  updated: "The change was sent. It is live once its operation succeeds.",
  suspended: "The tenant is being suspended: its hostnames stop serving its Worker.",
  resumed: "The tenant is being resumed.",
  "secret-put": "The secret was set. Its value is never shown.",
  "secret-deleted": "The secret is being removed.",
  deployed: "The new code was uploaded and deployed.",
  deleted: "The tenant is being deleted, with its resources and hostnames.",
  "hostname-checked": "Cloudflare was asked to check the hostname again; its status below is the latest read.",
  "version-deployed": "The version is being deployed to all the traffic: its operation is below.",
  "rolled-back": "The tenant is being rolled back to the version that had its traffic before: its operation is below.",
  "rollout-started": "The rollout started: its canary is being deployed first.",
  "rollout-resumed": "The rollout goes on: the rest of its tenants are being deployed.",
  "rollout-rolling-back": "The rollout is rolling back: each tenant it reached goes back to the version it had.",
} as const;
export type NoticeKey = keyof typeof NOTICES;

/** A console path with the notice its page shows. */
export function withNotice(path: string, notice: NoticeKey): string {
  return `${path}?notice=${notice}`;
}

function isNoticeKey(key: string | undefined): key is NoticeKey {
  return key !== undefined && Object.hasOwn(NOTICES, key);
}

/** The notice the URL names, if it is one of NOTICES. */
export function Notice() {
  const key = useRequestContext().req.query("notice");
  if (!isNoticeKey(key)) return null;
  return (
    <p class="notice ok" role="status">
      {NOTICES[key]}
    </p>
  );
}

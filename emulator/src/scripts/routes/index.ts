import { Hono } from "hono";
import { methodNotAllowedError } from "../../http/errors";
import type { ApiEnv } from "../../http/types";
import { content } from "./content";
import { deployments } from "./deployments";
import { schedules } from "./schedules";
import { scriptRoutes } from "./script";
import { secrets } from "./secrets";
import { settings } from "./settings";
import { tags } from "./tags";
import { upload } from "./upload";
import { versions } from "./versions";

/** Everything under `…/dispatch/namespaces/{namespace}/scripts`. */
export const scripts = new Hono<ApiEnv>();

scripts.route("/", scriptRoutes);
scripts.route("/", upload);
scripts.route("/", content);
scripts.route("/", settings);
scripts.route("/", tags);
scripts.route("/", schedules);
scripts.route("/", secrets);
scripts.route("/", versions);
scripts.route("/", deployments);

// Registered last, so they answer only the methods no route above took.
for (const path of [
  "/",
  "/:script",
  "/:script/content",
  "/:script/bindings",
  "/:script/settings",
  "/:script/tags",
  "/:script/schedules",
  "/:script/tags/:tag",
  "/:script/secrets",
  "/:script/secrets/:secret",
  "/:script/versions",
  "/:script/versions/:version",
  "/:script/deployments",
  "/:script/deployments/:deployment",
]) {
  scripts.all(path, (c) => {
    throw methodNotAllowedError(c.req.method);
  });
}

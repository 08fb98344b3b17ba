import { Hono } from "hono";
import { recordRequest } from "./analytics";
import type { AppEnv } from "./env";
import { errorResponse, renderError } from "./errors";
import { admin } from "./routes/admin";
import { files } from "./routes/files";
import { greeting } from "./routes/greeting";
import { kv } from "./routes/kv";
import { notes } from "./routes/notes";
import { rooms } from "./routes/rooms";

/** The tenant's app: one route module per binding it exercises (see README.md). */
const app = new Hono<AppEnv>()
  .use("*", recordRequest)
  .route("/", greeting)
  .route("/kv", kv)
  .route("/files", files)
  .route("/notes", notes)
  .route("/rooms", rooms)
  .route("/admin", admin)
  .notFound((c) => errorResponse(c, 404, "not_found", `no route for ${new URL(c.req.url).pathname}`))
  .onError(renderError);

export default app;

/** The Durable Object classes wrangler.toml binds (ROOM) and its migrations create. */
export { Room } from "./rooms/room";

import { Hono } from "hono";
import { z } from "zod";
import { requireWriteAccess } from "../auth";
import type { AppEnv } from "../env";
import { methodNotAllowed, notFound } from "../errors";
import { jsonBody, limitBody, parseOr400 } from "../validation";

/** A row of the notes table (migrations/0001_create_notes.sql). */
export type Note = { id: number; title: string; body: string; created_at: string };

const NewNote = z.strictObject({
  title: z.string().trim().min(1).max(200),
  body: z.string().max(10_000).default(""),
});

const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  /** Notes older than this id: the `next` of the previous page. */
  before: z.coerce.number().int().min(1).optional(),
});

const NoteId = z.coerce.number().int().min(1);

const COLUMNS = "id, title, body, created_at";

/** `/notes`: the tenant's notes in its D1 database, newest first; anyone reads, a writer (see requireWriteAccess) adds. */
export const notes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const { limit, before } = parseOr400(ListQuery, c.req.query(), "query");
    const { results } = await c.env.DB.prepare(`SELECT ${COLUMNS} FROM notes WHERE id < ?1 ORDER BY id DESC LIMIT ?2`)
      .bind(before ?? Number.MAX_SAFE_INTEGER, limit + 1)
      .all<Note>();
    const page = results.slice(0, limit);
    const next = results.length > limit ? (page.at(-1)?.id ?? null) : null;
    return c.json({ notes: page, next });
  })
  .post("/", requireWriteAccess, limitBody(16 * 1024), async (c) => {
    const { title, body } = await jsonBody(c, NewNote);
    const note = await c.env.DB.prepare(`INSERT INTO notes (title, body) VALUES (?1, ?2) RETURNING ${COLUMNS}`)
      .bind(title, body)
      .first<Note>();
    return c.json(note, 201);
  })
  .all("/", methodNotAllowed(["GET", "HEAD", "POST"]))
  .get("/:id", async (c) => {
    const id = parseOr400(NoteId, c.req.param("id"), "note id");
    const note = await c.env.DB.prepare(`SELECT ${COLUMNS} FROM notes WHERE id = ?1`).bind(id).first<Note>();
    if (note === null) throw notFound(`note ${id}`);
    return c.json(note);
  })
  .all("/:id", methodNotAllowed(["GET", "HEAD"]));

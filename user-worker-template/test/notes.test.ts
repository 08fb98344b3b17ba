import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Note } from "../src/routes/notes";
import { authorized, call, errorOf, json } from "./helpers";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function create(title: string, body?: string): Promise<Note> {
  const res = await call("/notes", authorized(json("POST", body === undefined ? { title } : { title, body })));
  expect(res.status).toBe(201);
  return res.json();
}

describe("/notes", () => {
  it("the migrations made the notes table and recorded themselves as wrangler does", async () => {
    const { results } = await env.DB.prepare("SELECT name FROM d1_migrations").all<{ name: string }>();
    expect(results.map((r) => r.name)).toEqual(["0001_create_notes.sql"]);
  });

  it("creates a note in D1 and reads it back", async () => {
    const note = await create("  Groceries  ", "milk, eggs");
    expect(note).toEqual({
      id: expect.any(Number),
      title: "Groceries",
      body: "milk, eggs",
      created_at: expect.stringMatching(ISO_DATE),
    });

    const row = await env.DB.prepare("SELECT title FROM notes WHERE id = ?").bind(note.id).first("title");
    expect(row).toBe("Groceries");
    expect(await (await call(`/notes/${note.id}`)).json()).toEqual(note);
  });

  it("lists notes newest first, a page at a time", async () => {
    const made = [await create("one"), await create("two"), await create("three")];
    const first = (await (await call("/notes?limit=2")).json()) as { notes: Note[]; next: number | null };
    expect(first.notes.map((n) => n.title)).toEqual(["three", "two"]);
    expect(first.next).toBe(made[1]?.id);

    const second = (await (await call(`/notes?limit=2&before=${first.next}`)).json()) as { notes: Note[] };
    expect(second.notes[0]).toEqual(made[0]);
  });

  it("defaults a missing body to empty", async () => {
    expect((await create("title only")).body).toBe("");
  });

  it.each([
    ["no title", { body: "x" }],
    ["a blank title", { title: "   " }],
    ["a title over 200 characters", { title: "t".repeat(201) }],
    ["an unknown field", { title: "x", pinned: true }],
  ])("answers 400 for %s and stores nothing", async (_, body) => {
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM notes").first("n");
    expect((await errorOf(await call("/notes", authorized(json("POST", body))), 400)).message).toMatch(
      /^invalid body: /,
    );
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM notes").first("n")).toBe(before);
  });

  it("answers 400 for a bad query or id, 404 for a missing note", async () => {
    expect((await errorOf(await call("/notes?limit=0"), 400)).message).toContain("limit");
    expect((await errorOf(await call("/notes?sort=asc"), 400)).code).toBe("bad_request");
    expect((await errorOf(await call("/notes/abc"), 400)).message).toContain("note id");
    expect(await errorOf(await call("/notes/999999"), 404)).toEqual({
      code: "not_found",
      message: "note 999999 not found",
    });
  });

  it("answers 413 for a body over 16 KiB", async () => {
    const res = await call("/notes", authorized(json("POST", { title: "big", body: "x".repeat(20_000) })));
    expect((await errorOf(res, 413)).code).toBe("payload_too_large");
  });

  it("answers 405 for other methods", async () => {
    expect((await call("/notes", { method: "DELETE" })).headers.get("allow")).toBe("GET, HEAD, POST");
    expect((await call("/notes/1", { method: "PUT" })).status).toBe(405);
  });
});

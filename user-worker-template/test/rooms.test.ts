import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import app from "../src/index";
import {
  MAX_CONNECTIONS,
  MAX_FRAME_CHARS,
  MAX_HISTORY,
  MAX_MESSAGE_CHARS,
  type Message,
  type ServerFrame,
} from "../src/rooms/protocol";
import type { Room } from "../src/rooms/room";
import { authorized, call, errorOf, json } from "./helpers";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function post(room: string, name: string, text: string): Promise<Message> {
  const res = await call(`/rooms/${room}/messages`, authorized(json("POST", { name, text })));
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
}

async function history(room: string, query = ""): Promise<Message[]> {
  const res = await call(`/rooms/${room}/messages${query}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { room: string; messages: Message[] };
  expect(body.room).toBe(room);
  return body.messages;
}

/** A WebSocket client of a room: the frames it received, in order, one at a time. */
type Client = { ws: WebSocket; next: () => Promise<ServerFrame>; send: (frame: unknown) => void };
const open: WebSocket[] = [];

afterEach(() => {
  for (const ws of open.splice(0)) {
    try {
      ws.close(1000, "test over");
    } catch {}
  }
});

function clientOf(res: Response): Client {
  expect(res.status).toBe(101);
  const ws = res.webSocket;
  if (ws === null) throw new Error("no WebSocket in the 101");
  const frames: ServerFrame[] = [];
  const waiting: ((frame: ServerFrame) => void)[] = [];
  ws.addEventListener("message", (event) => {
    const frame = JSON.parse(event.data as string) as ServerFrame;
    const waiter = waiting.shift();
    if (waiter === undefined) frames.push(frame);
    else waiter(frame);
  });
  ws.accept();
  open.push(ws);
  const next = () => {
    const frame = frames.shift();
    if (frame !== undefined) return Promise.resolve(frame);
    return new Promise<ServerFrame>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no frame within 2 s")), 2_000);
      waiting.push((f) => {
        clearTimeout(timer);
        resolve(f);
      });
    });
  };
  return { ws, next, send: (frame) => ws.send(typeof frame === "string" ? frame : JSON.stringify(frame)) };
}

/** Joins `room` as `name`, with the API_TOKEN (a client that may post) unless `token` is null. */
async function join(room: string, name: string, token: string | null = env.API_TOKEN): Promise<Client> {
  const init = { headers: { upgrade: "websocket" } };
  const res = await call(
    `/rooms/${room}/ws?name=${encodeURIComponent(name)}`,
    token === null ? init : authorized(init, token),
  );
  return clientOf(res);
}

const count = (room: string) =>
  runInDurableObject(
    env.ROOM.getByName(room),
    (_: Room, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM messages").one().n,
  );

describe("/rooms/:room/messages", () => {
  it("posts a message and reads it back, oldest first", async () => {
    const first = await post("lobby", "ann", "  hello  ");
    expect(first).toEqual({
      id: expect.any(Number),
      sender: "ann",
      text: "hello",
      created_at: expect.stringMatching(ISO_DATE),
    });
    const second = await post("lobby", "bob", "hi ann");
    expect(await history("lobby")).toEqual([first, second]);
    expect(await history("lobby", "?limit=1")).toEqual([second]);
    // Another room is another object, with its own messages.
    expect(await history("other-room")).toEqual([]);
  });

  it(`keeps only the newest ${MAX_HISTORY}, in SQLite, trimmed by each write`, async () => {
    for (let i = 1; i <= MAX_HISTORY + 5; i++) await post("busy", "ann", `message ${i}`);
    const kept = await history("busy");
    expect(kept).toHaveLength(MAX_HISTORY);
    expect(kept[0]?.text).toBe("message 6");
    expect(kept.at(-1)?.text).toBe(`message ${MAX_HISTORY + 5}`);
    expect(await count("busy")).toBe(MAX_HISTORY);
  });

  it("keeps its messages when the object is evicted from memory", async () => {
    const message = await post("durable", "ann", "still here");
    await evictDurableObject(env.ROOM.getByName("durable"));
    expect(await history("durable")).toEqual([message]);
  });

  it.each([
    ["uppercase", "Lobby"],
    ["an underscore", "a_b"],
    ["65 characters", "a".repeat(65)],
  ])("answers 400 for a room name with %s", async (_, room) => {
    expect((await errorOf(await call(`/rooms/${room}/messages`), 400)).message).toMatch(/^invalid room name: /);
    const res = await call(`/rooms/${room}/messages`, authorized(json("POST", { name: "ann", text: "x" })));
    expect((await errorOf(res, 400)).message).toMatch(/^invalid room name: /);
  });

  it.each([
    ["an empty text", { name: "ann", text: "" }],
    ["a blank text", { name: "ann", text: "   " }],
    [`a text over ${MAX_MESSAGE_CHARS} characters`, { name: "ann", text: "x".repeat(MAX_MESSAGE_CHARS + 1) }],
    ["no name", { text: "hello" }],
    ["a name over 32 characters", { name: "n".repeat(33), text: "hello" }],
    ["a name with a control character", { name: "a\u0007b", text: "hello" }],
    ["an unknown field", { name: "ann", text: "hello", pinned: true }],
  ])("answers 400 for %s and stores nothing", async (_, body) => {
    const res = await call("/rooms/strict/messages", authorized(json("POST", body)));
    expect((await errorOf(res, 400)).message).toMatch(/^invalid body: /);
    expect(await count("strict")).toBe(0);
  });

  it("answers 400 for a bad limit, 413 for a body over 16 KiB, 405 for other methods", async () => {
    expect((await errorOf(await call("/rooms/lobby/messages?limit=0"), 400)).message).toContain("limit");
    expect((await errorOf(await call(`/rooms/lobby/messages?limit=${MAX_HISTORY + 1}`), 400)).code).toBe("bad_request");
    const big = await call(
      "/rooms/lobby/messages",
      authorized(json("POST", { name: "ann", text: "x".repeat(20_000) })),
    );
    expect((await errorOf(big, 413)).code).toBe("payload_too_large");
    const res = await call("/rooms/lobby/messages", { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD, POST");
  });

  it("answers 503 when the code runs without its ROOM binding", async () => {
    const { ROOM: _, ...unbound } = env;
    const res = await app.request("/rooms/lobby/messages", {}, unbound);
    expect(await errorOf(res, 503)).toEqual({
      code: "not_configured",
      message: "rooms need the ROOM Durable Object binding, which is not set",
    });
  });

  it("posting is a write: 401 without the token, and nothing is stored", async () => {
    const res = await call("/rooms/guarded/messages", json("POST", { name: "ann", text: "hello" }));
    expect(await errorOf(res, 401)).toEqual({ code: "unauthorized", message: "a valid bearer token is required" });
    expect(await history("guarded")).toEqual([]);
  });
});

describe("/rooms/:room/ws", () => {
  it("sends the history on join, then every message to every client, with its sender", async () => {
    const before = await post("chat", "ann", "before anyone joined");
    const carol = await join("chat", "carol");
    expect(await carol.next()).toEqual({ type: "history", messages: [before] });
    const dave = await join("chat", "dave");
    expect(await dave.next()).toEqual({ type: "history", messages: [before] });

    dave.send({ type: "message", text: "hello from dave" });
    const broadcast = await carol.next();
    expect(broadcast).toEqual({
      type: "message",
      message: {
        id: expect.any(Number),
        sender: "dave",
        text: "hello from dave",
        created_at: expect.stringMatching(ISO_DATE),
      },
    });
    expect(await dave.next()).toEqual(broadcast);

    // A message posted over HTTP reaches the clients too.
    const posted = await post("chat", "ann", "over http");
    expect(await carol.next()).toEqual({ type: "message", message: posted });
    expect(await dave.next()).toEqual({ type: "message", message: posted });
    expect((await history("chat")).map((m) => m.text)).toEqual([
      "before anyone joined",
      "hello from dave",
      "over http",
    ]);
  });

  it("answers a bad frame with an error frame, to its sender only, and keeps the connection", async () => {
    const eve = await join("frames", "eve");
    const frank = await join("frames", "frank");
    expect((await eve.next()).type).toBe("history");
    expect((await frank.next()).type).toBe("history");

    const errorCode = async (frame: unknown) => {
      eve.send(frame);
      const answer = await eve.next();
      if (answer.type !== "error") throw new Error(`expected an error frame, got ${JSON.stringify(answer)}`);
      return answer.error;
    };
    expect(await errorCode("not json")).toEqual({ code: "bad_request", message: "the frame is not valid JSON" });
    expect((await errorCode({ type: "message", text: "" })).message).toMatch(/^invalid frame: text: /);
    expect((await errorCode({ type: "message", text: "x".repeat(MAX_MESSAGE_CHARS + 1) })).code).toBe("bad_request");
    expect((await errorCode({ type: "shout", text: "hi" })).code).toBe("bad_request");
    expect((await errorCode({ type: "message", text: "hi", name: "mallory" })).code).toBe("bad_request");
    expect((await errorCode("x".repeat(MAX_FRAME_CHARS + 1))).code).toBe("payload_too_large");
    eve.ws.send(new Uint8Array([1, 2, 3]));
    expect((await eve.next()).type).toBe("error");

    // Still connected, and none of that was stored or sent to others.
    eve.send({ type: "message", text: "fine now" });
    expect(await eve.next()).toMatchObject({ type: "message", message: { sender: "eve", text: "fine now" } });
    expect(await frank.next()).toMatchObject({ type: "message", message: { sender: "eve", text: "fine now" } });
    expect(await count("frames")).toBe(1);
  });

  it("keeps each client's name through hibernation: the object is rebuilt, the sockets and their names stay", async () => {
    const stub = env.ROOM.getByName("sleepy");
    const grace = await join("sleepy", "grace");
    const heidi = await join("sleepy", "heidi");
    expect((await grace.next()).type).toBe("history");
    expect((await heidi.next()).type).toBe("history");
    await runInDurableObject(stub, (room: Room) => {
      (room as unknown as { marker: boolean }).marker = true;
    });

    await evictDurableObject(stub, { webSockets: "hibernate" });

    grace.send({ type: "message", text: "after a nap" });
    const expected = { type: "message", message: { sender: "grace", text: "after a nap" } };
    expect(await heidi.next()).toMatchObject(expected);
    expect(await grace.next()).toMatchObject(expected);
    // A new instance answered: the one marked before the eviction is gone.
    expect(
      await runInDurableObject(stub, (room: Room) => (room as unknown as { marker?: boolean }).marker),
    ).toBeUndefined();
  });

  it("without a token, a client reads but may not post", async () => {
    await post("quiet", "ann", "welcome");
    const reader = await join("quiet", "ivan", null);
    expect(await reader.next()).toMatchObject({ type: "history", messages: [{ text: "welcome" }] });
    reader.send({ type: "message", text: "let me in" });
    expect(await reader.next()).toEqual({
      type: "error",
      error: { code: "unauthorized", message: "this connection may only read: posting needs the API_TOKEN" },
    });
    expect(await count("quiet")).toBe(1);
    // It still hears what a writer posts.
    const posted = await post("quiet", "ann", "still here?");
    expect(await reader.next()).toEqual({ type: "message", message: posted });
  });

  it('with PUBLIC_WRITES = "true", a client without a token may post', async () => {
    const res = await app.request(
      "/rooms/public/ws?name=judy",
      { headers: { upgrade: "websocket" } },
      { ...env, PUBLIC_WRITES: "true" },
    );
    const judy = clientOf(res);
    expect((await judy.next()).type).toBe("history");
    judy.send({ type: "message", text: "anyone can talk here" });
    expect(await judy.next()).toMatchObject({ type: "message", message: { sender: "judy" } });
  });

  it(`holds at most ${MAX_CONNECTIONS} clients: the next one is a 503`, async () => {
    const clients = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, (_, i) => join("full", `user${i}`)));
    expect(clients).toHaveLength(MAX_CONNECTIONS);
    const res = await call("/rooms/full/ws?name=late", authorized({ headers: { upgrade: "websocket" } }));
    expect((await errorOf(res, 503)).code).toBe("room_full");
    // Once one leaves, there is room again.
    clients[0]?.ws.close(1000, "bye");
    await expect
      .poll(async () => {
        const retry = await call("/rooms/full/ws?name=late", authorized({ headers: { upgrade: "websocket" } }));
        if (retry.status === 101) clientOf(retry);
        return retry.status;
      })
      .toBe(101);
  });

  it("refuses a bad upgrade with the error shape: 426, 400, 401", async () => {
    const plain = await call("/rooms/lobby/ws?name=ann");
    expect(await errorOf(plain, 426)).toEqual({
      code: "upgrade_required",
      message: "connect with a WebSocket upgrade (Upgrade: websocket)",
    });
    expect(plain.headers.get("upgrade")).toBe("websocket");

    const upgrade = { headers: { upgrade: "websocket" } };
    expect((await errorOf(await call("/rooms/Lobby/ws?name=ann", upgrade), 400)).message).toMatch(/^invalid room name/);
    expect((await errorOf(await call("/rooms/lobby/ws", upgrade), 400)).message).toMatch(/^invalid query: name/);
    expect((await errorOf(await call("/rooms/lobby/ws?name=%20", upgrade), 400)).code).toBe("bad_request");
    const wrong = await call("/rooms/lobby/ws?name=ann", authorized(upgrade, "not-the-token"));
    expect((await errorOf(wrong, 401)).code).toBe("unauthorized");
    expect((await call("/rooms/lobby/ws", { method: "POST" })).status).toBe(405);
  });
});

// @ts-check
// Conformance cases for a Durable Object namespace and its objects. The same
// file runs as miniflare's own Durable Object (an auxiliary worker, vitest.config.ts)
// and, as text, inside a tenant's uploaded script whose class runs in the
// emulator's host: both must give identical results. Plain JS, importing only
// the runtime, so it ships into a loaded worker as is. Every case uses objects
// of its own (names from the case), so the cases do not depend on each other.
import { DurableObject } from "cloudflare:workers";

/** @param {unknown} error */
function errorShape(error) {
  if (!(error instanceof Error)) return { thrown: String(error) };
  return { constructor: error.constructor.name, name: error.name, message: error.message };
}

/** @param {() => unknown} run */
async function attempt(run) {
  try {
    return { ok: await run() };
  } catch (error) {
    return { error: errorShape(error) };
  }
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `read` until `done` holds of its value or the time is up; answers the last value.
 * @template T
 * @param {() => Promise<T>} read
 * @param {(value: T) => boolean} done
 */
async function until(read, done, timeoutMs = 10_000) {
  const started = Date.now();
  let value = await read();
  while (!done(value) && Date.now() - started < timeoutMs) {
    await sleep(50);
    value = await read();
  }
  return value;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** The object every case talks to: each method exercises one part of the API from inside. */
export class Probe extends DurableObject {
  /** In memory only: tells one instance per id from several. */
  calls = 0;
  alarms = 0;

  /** @param {DurableObjectState} ctx @param {unknown} env */
  constructor(ctx, env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, label TEXT NOT NULL)");
    });
  }

  /** @param {Request} request */
  async fetch(request) {
    const url = new URL(request.url);
    if (request.headers.get("upgrade") === "websocket") {
      const pair = new WebSocketPair();
      const tags = url.searchParams.getAll("tag");
      this.ctx.acceptWebSocket(pair[1], tags);
      return new Response(null, { status: 101, webSocket: pair[0] });
    }
    return Response.json({
      method: request.method,
      path: url.pathname,
      header: request.headers.get("x-probe"),
      body: request.method === "GET" ? null : await request.text(),
      id: this.ctx.id.toString(),
    });
  }

  /** @param {WebSocket} ws @param {string | ArrayBuffer} message */
  async webSocketMessage(ws, message) {
    if (message === "count") ws.send(`sockets:${this.ctx.getWebSockets().length}`);
    else if (message === "tags") ws.send(`tags:${JSON.stringify(this.ctx.getTags(ws))}`);
    else if (message === "close") ws.close(4000, "asked to");
    else ws.send(`echo:${String(message)}`);
  }

  /** @param {WebSocket} _ws @param {number} code */
  async webSocketClose(_ws, code) {
    this.ctx.storage.kv.put("closed", code);
  }

  count() {
    this.calls += 1;
    return this.calls;
  }

  idSeenInside() {
    return this.ctx.id.toString();
  }

  nameSeenInside() {
    return this.ctx.id.name ?? null;
  }

  propsSeenInside() {
    return this.ctx.props === undefined ? "undefined" : JSON.stringify(this.ctx.props);
  }

  /** @param {unknown[]} args */
  echo(...args) {
    return args;
  }

  /** @param {string} message */
  fail(message) {
    throw new RangeError(message);
  }

  /** Read-modify-write across awaits: input gates keep concurrent calls from interleaving. */
  async increment() {
    const value = /** @type {number} */ ((await this.ctx.storage.get("counter")) ?? 0);
    await this.ctx.storage.put("counter", value + 1);
    return value + 1;
  }

  async counter() {
    return (await this.ctx.storage.get("counter")) ?? 0;
  }

  /** @param {string} label */
  async blocked(label) {
    const order = [];
    await this.ctx.blockConcurrencyWhile(async () => {
      order.push(`${label}:start`);
      await sleep(30);
      order.push(`${label}:end`);
    });
    return order;
  }

  async kvApi() {
    const s = this.ctx.storage;
    await s.put("b", 2);
    await s.put({ a: 1, c: { nested: [1, 2] }, "p:1": "x", "p:2": "y" });
    const one = await s.get("c");
    const many = await s.get(["a", "b", "missing"]);
    const listed = await s.list();
    const prefixed = await s.list({ prefix: "p:", reverse: true, limit: 1 });
    const ranged = await s.list({ start: "a", end: "c" });
    const deleted = await s.delete("a");
    const deletedAgain = await s.delete("a");
    const deletedMany = await s.delete(["b", "c", "nope"]);
    await s.deleteAll();
    const after = await s.list();
    return {
      one,
      many: [...many],
      listed: [...listed],
      prefixed: [...prefixed],
      ranged: [...ranged],
      deleted,
      deletedAgain,
      deletedMany,
      after: [...after],
    };
  }

  syncKvApi() {
    const kv = this.ctx.storage.kv;
    kv.put("k1", { v: 1 });
    kv.put("k2", "two");
    const got = kv.get("k1");
    const listed = [...kv.list({ prefix: "k" })];
    const deleted = kv.delete("k1");
    return { got, listed, deleted, missing: kv.get("k1") ?? null };
  }

  sqlApi() {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM items");
    const inserted = sql.exec("INSERT INTO items (label) VALUES (?), (?)", "one", "two");
    const insertShape = { rowsWritten: inserted.rowsWritten };
    const cursor = sql.exec("SELECT id, label FROM items ORDER BY id");
    const rows = cursor.toArray();
    const columns = cursor.columnNames;
    const one = sql.exec("SELECT COUNT(*) AS n FROM items").one();
    const raw = [...sql.exec("SELECT label FROM items ORDER BY id").raw()];
    let syntax = null;
    try {
      sql.exec("SELEC nonsense");
    } catch (error) {
      syntax = errorShape(error);
    }
    let rolledBack = null;
    try {
      this.ctx.storage.transactionSync(() => {
        sql.exec("INSERT INTO items (label) VALUES ('three')");
        throw new Error("undo");
      });
    } catch (error) {
      rolledBack = errorShape(error);
    }
    const after = sql.exec("SELECT COUNT(*) AS n FROM items").one();
    return { insertShape, rows, columns, one, raw, syntax, rolledBack, after, size: sql.databaseSize > 0 };
  }

  /** @param {number} inMs */
  async armAlarm(inMs) {
    const at = Date.now() + inMs;
    await this.ctx.storage.setAlarm(at);
    return (await this.ctx.storage.getAlarm()) === at;
  }

  async alarmState() {
    return { fired: this.alarms, pending: (await this.ctx.storage.getAlarm()) !== null };
  }

  async disarm() {
    await this.ctx.storage.deleteAlarm();
    return this.ctx.storage.getAlarm();
  }

  /** Makes the next alarm throw once, to be retried. */
  async armFailingAlarm() {
    this.ctx.storage.kv.put("failNext", true);
    await this.ctx.storage.setAlarm(Date.now() + 50);
  }

  alarmInfo() {
    return this.ctx.storage.kv.get("alarmInfo") ?? null;
  }

  /** @param {AlarmInvocationInfo} info */
  async alarm(info) {
    if (this.ctx.storage.kv.get("failNext") === true) {
      this.ctx.storage.kv.delete("failNext");
      throw new Error("the alarm fails once");
    }
    this.alarms += 1;
    this.ctx.storage.kv.put("alarmInfo", { retryCount: info?.retryCount ?? null, isRetry: info?.isRetry ?? null });
  }

  closedWith() {
    return this.ctx.storage.kv.get("closed") ?? null;
  }
}

/** @typedef {DurableObjectNamespace<Probe>} Objects */
/** @typedef {DurableObjectStub<Probe> & Record<string, (...args: unknown[]) => Promise<any>>} Stub */

/** @param {Objects} ns @param {string} name @returns {Stub} */
const stubFor = (ns, name) => /** @type {Stub} */ (ns.get(ns.idFromName(name)));

/**
 * Opens a WebSocket to the object and gives a way to wait for its next message.
 * @param {Stub} stub @param {string} [query]
 */
async function openSocket(stub, query = "") {
  const response = await stub.fetch(`http://object/ws${query}`, { headers: { upgrade: "websocket" } });
  const ws = response.webSocket;
  if (ws === null) return { status: response.status, ws: null, next: async () => null };
  ws.accept();
  /** @type {string[]} */
  const inbox = [];
  /** @type {((m: string) => void)[]} */
  const waiting = [];
  ws.addEventListener("message", (event) => {
    const text = String(event.data);
    const waiter = waiting.shift();
    if (waiter) waiter(text);
    else inbox.push(text);
  });
  /** @type {Promise<{code: number}>} */
  const closed = new Promise((resolve) => ws.addEventListener("close", (event) => resolve({ code: event.code })));
  const next = () => {
    const queued = inbox.shift();
    return queued !== undefined ? Promise.resolve(queued) : new Promise((resolve) => waiting.push(resolve));
  };
  return { status: response.status, ws, next, closed };
}

/** @type {{ name: string, run: (ns: Objects) => Promise<unknown> }[]} */
export const cases = [
  {
    name: "idFromName is deterministic, 64 hex digits, and carries its name",
    run: async (ns) => {
      const a = ns.idFromName("ids-a");
      const again = ns.idFromName("ids-a");
      const other = ns.idFromName("ids-b");
      return {
        hex: HEX64.test(a.toString()),
        same: a.toString() === again.toString(),
        equals: a.equals(again),
        differs: a.equals(other),
        name: a.name,
      };
    },
  },
  {
    name: "idFromString takes back an id's string, in either case, without its name",
    run: async (ns) => {
      const id = ns.idFromName("ids-string");
      const back = ns.idFromString(id.toString());
      const upper = ns.idFromString(id.toString().toUpperCase());
      return { equals: back.equals(id), upper: upper.toString() === id.toString(), name: back.name ?? null };
    },
  },
  {
    name: "idFromString refuses what is not an id, and an id of no object of the namespace",
    run: async (ns) => {
      const id = ns.idFromName("ids-refused").toString();
      const flipped = `${id.slice(0, 60)}${id.slice(60) === "0000" ? "1111" : "0000"}`;
      return {
        short: await attempt(() => ns.idFromString("abc")),
        notHex: await attempt(() => ns.idFromString("z".repeat(64))),
        forged: await attempt(() => ns.idFromString(flipped)),
      };
    },
  },
  {
    name: "newUniqueId gives a new id each time, without a name",
    run: async (ns) => {
      const a = ns.newUniqueId();
      const b = ns.newUniqueId();
      return {
        hex: HEX64.test(a.toString()),
        differ: !a.equals(b),
        name: a.name ?? null,
        valid: ns.idFromString(a.toString()).equals(a),
      };
    },
  },
  {
    name: "a stub knows its id and name; getByName is get(idFromName)",
    run: async (ns) => {
      const byName = ns.getByName("stub-names");
      const byId = ns.get(ns.idFromName("stub-names"));
      return {
        name: byName.name,
        idName: byName.id.name,
        sameId: byName.id.equals(byId.id),
        insideIsOutside: (await /** @type {Stub} */ (byName).idSeenInside()) === byId.id.toString(),
      };
    },
  },
  {
    name: "the object sees the name its id was made from, and none for an id made from a string",
    run: async (ns) => {
      const named = await stubFor(ns, "inside-name").nameSeenInside();
      const fromString = ns.idFromString(ns.idFromName("inside-name-string").toString());
      const unnamed = await /** @type {Stub} */ (ns.get(fromString)).nameSeenInside();
      return { named, unnamed, props: await stubFor(ns, "inside-name").propsSeenInside() };
    },
  },
  {
    name: "fetch reaches the object with the request's method, path, headers and body",
    run: async (ns) => {
      const stub = stubFor(ns, "fetch");
      const response = await stub.fetch("http://object/some/path?q=1", {
        method: "POST",
        headers: { "x-probe": "yes" },
        body: "payload",
      });
      const body = await response.json();
      return { status: response.status, body: { ...body, id: body.id === stub.id.toString() } };
    },
  },
  {
    name: "RPC passes arguments and return values by structured clone",
    run: async (ns) => {
      const stub = stubFor(ns, "rpc-values");
      const [n, text, list, nested, nothing] = await stub.echo(
        42,
        "text",
        [1, "two"],
        { a: { b: [true, null] } },
        undefined,
      );
      const date = (await stub.echo(new Date(0)))[0];
      const bytes = (await stub.echo(new Uint8Array([1, 2, 3])))[0];
      return {
        n,
        text,
        list,
        nested,
        nothing: nothing === undefined,
        date: date instanceof Date && date.getTime(),
        bytes: [...bytes],
      };
    },
  },
  {
    name: "an error thrown by an RPC method reaches the caller with its type and message",
    run: async (ns) => attempt(() => stubFor(ns, "rpc-error").fail("out of range")),
  },
  {
    name: "an RPC method the class does not have is refused",
    run: async (ns) => attempt(() => stubFor(ns, "rpc-missing").noSuchMethod()),
  },
  {
    name: "one instance per id: state in memory is shared by calls to the same id only",
    run: async (ns) => {
      const a = stubFor(ns, "instance-a");
      const b = stubFor(ns, "instance-b");
      return [await a.count(), await a.count(), await b.count(), await a.count()];
    },
  },
  {
    name: "input gates: concurrent read-modify-write calls do not lose updates",
    run: async (ns) => {
      const stub = stubFor(ns, "input-gates");
      const results = await Promise.all(Array.from({ length: 20 }, () => stub.increment()));
      return { total: await stub.counter(), distinct: new Set(results).size };
    },
  },
  {
    name: "blockConcurrencyWhile runs its callback alone",
    run: async (ns) => {
      const stub = stubFor(ns, "block-concurrency");
      const [first, second] = await Promise.all([stub.blocked("a"), stub.blocked("b")]);
      return [...first, ...second];
    },
  },
  {
    name: "the key-value storage API",
    run: async (ns) => stubFor(ns, "kv-api").kvApi(),
  },
  {
    name: "the synchronous key-value API (ctx.storage.kv)",
    run: async (ns) => stubFor(ns, "sync-kv-api").syncKvApi(),
  },
  {
    name: "the SQL storage API",
    run: async (ns) => stubFor(ns, "sql-api").sqlApi(),
  },
  {
    name: "storage persists between calls and is the object's own",
    run: async (ns) => {
      const a = stubFor(ns, "persist-a");
      const b = stubFor(ns, "persist-b");
      await a.increment();
      await a.increment();
      await b.increment();
      return { a: await a.counter(), b: await b.counter() };
    },
  },
  {
    name: "an alarm is set, read back, and runs its handler when due",
    run: async (ns) => {
      const stub = stubFor(ns, "alarm-fires");
      const armed = await stub.armAlarm(200);
      const before = await stub.alarmState();
      const after = await until(
        () => stub.alarmState(),
        (s) => s.fired > 0,
      );
      return { armed, before, after };
    },
  },
  {
    name: "an alarm whose handler throws is run again, marked as a retry",
    run: async (ns) => {
      const stub = stubFor(ns, "alarm-retried");
      await stub.armFailingAlarm();
      return until(
        () => stub.alarmInfo(),
        (info) => info !== null,
        15_000,
      );
    },
  },
  {
    name: "a deleted alarm does not run",
    run: async (ns) => {
      const stub = stubFor(ns, "alarm-deleted");
      await stub.armAlarm(300);
      const afterDelete = await stub.disarm();
      await sleep(700);
      return { afterDelete, state: await stub.alarmState() };
    },
  },
  {
    name: "a WebSocket accepted with the hibernation API answers through webSocketMessage",
    run: async (ns) => {
      const stub = stubFor(ns, "websocket-echo");
      const socket = await openSocket(stub, "?tag=red&tag=blue");
      if (socket.ws === null) return { status: socket.status };
      socket.ws.send("hello");
      const echo = await socket.next();
      socket.ws.send("tags");
      const tags = await socket.next();
      socket.ws.send("count");
      const count = await socket.next();
      socket.ws.close(1000, "done");
      return { status: socket.status, echo, tags, count };
    },
  },
  {
    name: "an object closing a WebSocket reaches the client, and a client's close reaches webSocketClose",
    run: async (ns) => {
      const stub = stubFor(ns, "websocket-close");
      const first = await openSocket(stub);
      if (first.ws === null || first.closed === undefined) return { status: first.status };
      first.ws.send("close");
      const closedByObject = await first.closed;
      const second = await openSocket(stub);
      second.ws?.close(4001, "client leaves");
      const code = await until(
        () => stub.closedWith(),
        (value) => value === 4001,
      );
      return { closedByObject: closedByObject.code, webSocketClose: code };
    },
  },
];

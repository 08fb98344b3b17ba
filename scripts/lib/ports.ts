import { createServer, type Server } from "node:net";

export const LOOPBACK = "127.0.0.1";

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ port, host: LOOPBACK, exclusive: true }, () => resolve(server));
  });
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/**
 * Where free ports are looked for: below the range the OS hands out for port 0 (Linux: 32768 up,
 * macOS and Windows: 49152 up). A port found free there is not taken by another process's port-0 bind
 * before it is used: `npm run dev` starts a tenant runner seconds after choosing its port, and in
 * between wrangler's processes bind ports of their own, which took a runner's port once when ports
 * were picked with port 0 themselves.
 */
const FIRST_PORT = 20_000;
const END_PORT = 32_768;
const ATTEMPTS = 1_000;

async function listenFree(taken: ReadonlySet<number>): Promise<Server> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = FIRST_PORT + Math.floor(Math.random() * (END_PORT - FIRST_PORT));
    if (taken.has(port)) continue;
    try {
      return await listen(port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    }
  }
  throw new Error(`no free port between ${FIRST_PORT} and ${END_PORT - 1} in ${ATTEMPTS} tries`);
}

/**
 * `count` distinct ports that were free a moment ago, none of `avoid`. All are
 * held open until the last is found, so the same port is never handed out
 * twice. `avoid` is for ports already given to something that has not bound
 * them yet (a free port then looks free): `npm run dev` once gave a tenant
 * runner the dispatcher's port that way.
 */
export async function freePorts(count: number, avoid: Iterable<number> = []): Promise<number[]> {
  const servers: Server[] = [];
  const ports = new Set<number>();
  const taken = new Set<number>(avoid);
  try {
    for (let i = 0; i < count; i++) {
      const server = await listenFree(taken);
      servers.push(server);
      const address = server.address();
      if (address === null || typeof address === "string") throw new Error("no TCP address");
      ports.add(address.port);
      taken.add(address.port);
    }
    return [...ports];
  } finally {
    await Promise.all(servers.map(close));
  }
}

export async function isPortFree(port: number): Promise<boolean> {
  try {
    await close(await listen(port));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") return false;
    throw error;
  }
}

/**
 * Secret values waiting to reach the tenant's script, in the tenant's Durable
 * Object storage (encrypted at rest, never in the registry, never returned):
 * from the request that sets them until the step that sends them to the API,
 * which then drops them.
 */
export class PendingSecrets {
  constructor(private readonly storage: DurableObjectStorage) {}

  async all(): Promise<Map<string, string>> {
    const entries = await this.storage.list<string>({ prefix: "secret:" });
    return new Map([...entries].map(([key, value]) => [key.slice("secret:".length), value]));
  }

  async get(name: string): Promise<string | undefined> {
    return this.storage.get<string>(`secret:${name}`);
  }

  async put(values: Record<string, string>): Promise<void> {
    if (Object.keys(values).length === 0) return;
    await this.storage.put(
      Object.fromEntries(Object.entries(values).map(([name, value]) => [`secret:${name}`, value])),
    );
  }

  async drop(names: Iterable<string>): Promise<void> {
    const keys = [...names].map((name) => `secret:${name}`);
    if (keys.length > 0) await this.storage.delete(keys);
  }

  async clear(): Promise<void> {
    await this.drop((await this.all()).keys());
  }
}

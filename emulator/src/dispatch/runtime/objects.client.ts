// Shipped into every loaded tenant worker: what makes a tenant's Durable
// Object class runnable as a facet of the emulator's host object
// (durable-objects/host.ts). The generated shim (shim.ts) exports each class the
// script declares through `objectClass`.
import { OBJECT_NAME_PROP } from "../shim.ts";

/** The emulator's side of a tenant's objects (durable-objects/entrypoint.ts), as far as alarms need it. */
interface ObjectsChannel {
  setAlarm(namespaceId: string, objectId: string, at: number): Promise<void>;
  getAlarm(namespaceId: string, objectId: string): Promise<number | null>;
  deleteAlarm(namespaceId: string, objectId: string): Promise<void>;
}

let channel: ObjectsChannel | undefined;

/** Called by the tenant env maker with the channel from the loaded worker's env, before any class is constructed. */
export function setObjectsChannel(stub: ObjectsChannel): void {
  channel ??= stub;
}

function objectsChannel(): ObjectsChannel {
  if (channel === undefined) throw new Error("Durable Object alarms are not available in this worker");
  return channel;
}

const NO_ALARM_HANDLER = "Your Durable Object class must have an alarm() handler in order to call setAlarm()";

/** An alarm time as the runtime takes it: a Date or milliseconds since the epoch. */
function alarmTime(scheduled: unknown): number {
  const at = scheduled instanceof Date ? scheduled.getTime() : scheduled;
  if (typeof at !== "number" || !Number.isFinite(at)) {
    throw new TypeError("setAlarm() requires a Date or a number of milliseconds since the epoch");
  }
  return at;
}

/**
 * A facet cannot set alarms of its own (workerd refuses), so the object's
 * alarm methods are replaced, on its own storage object, by calls to the host,
 * which keeps the object's alarm and calls `__wfp_alarm` when it is due.
 */
function routeAlarms(ctx: DurableObjectState, namespaceId: string, hasAlarmHandler: boolean): void {
  const objectId = ctx.id.toString();
  const define = (name: string, value: (...args: unknown[]) => Promise<unknown>) =>
    Object.defineProperty(ctx.storage, name, { value, writable: true, configurable: true });
  define("setAlarm", async (scheduled) => {
    if (!hasAlarmHandler) throw new TypeError(NO_ALARM_HANDLER);
    await objectsChannel().setAlarm(namespaceId, objectId, alarmTime(scheduled));
  });
  define("getAlarm", () => objectsChannel().getAlarm(namespaceId, objectId));
  define("deleteAlarm", () => objectsChannel().deleteAlarm(namespaceId, objectId));
}

/**
 * Gives the object the id it is known by: its id's name, if the host started
 * it for a named stub (the class's props), as production's ctx.id has; and
 * empty props, as a Durable Object reached through a namespace has.
 */
function presentId(ctx: DurableObjectState): void {
  const props = ctx.props as Record<string, unknown> | undefined;
  const name = props?.[OBJECT_NAME_PROP];
  Object.defineProperty(ctx, "props", { value: {}, configurable: true });
  if (typeof name !== "string") return;
  const id = ctx.id;
  const named = {
    name,
    jurisdiction: undefined,
    toString: () => id.toString(),
    equals: (other: unknown) => other !== null && other !== undefined && String(other) === id.toString(),
  };
  Object.defineProperty(ctx, "id", { value: named, configurable: true });
}

type TenantClass = new (ctx: DurableObjectState, env: unknown) => object;

/**
 * The tenant's class as the host runs it: constructed with the tenant's env
 * and with its alarms routed to the host, plus `__wfp_alarm`, which the host
 * calls when the object's alarm is due. Undefined when the script does not
 * export such a class (the upload is refused: startup-check.ts).
 */
export function objectClass(exported: unknown, namespaceId: string, tenantEnv: <E>(env: E) => E): unknown {
  if (typeof exported !== "function") return undefined;
  const Tenant = exported as TenantClass;
  const hasAlarmHandler = typeof (Tenant.prototype as { alarm?: unknown }).alarm === "function";
  const hosted = class extends Tenant {
    constructor(ctx: DurableObjectState, env: unknown) {
      presentId(ctx);
      routeAlarms(ctx, namespaceId, hasAlarmHandler);
      super(ctx, tenantEnv(env));
    }

    __wfp_alarm(info: AlarmInvocationInfo): unknown {
      return (this as unknown as { alarm(info: AlarmInvocationInfo): unknown }).alarm(info);
    }
  };
  Object.defineProperty(hosted, "name", { value: Tenant.name });
  return hosted;
}

import type { DispatchOptions } from "./dispatch-types";

/** The limits a script was last dispatched with. cpuMs is recorded here because workerd cannot enforce it locally. */
export interface DispatchRecord {
  accountId: string;
  namespace: string;
  script: string;
  limits: DispatchOptions["limits"] | null;
  outbound: boolean;
  at: string;
}

const MAX_RECORDS = 1000;
const records = new Map<string, DispatchRecord>();

/** Keeps the newest record per script, dropping the oldest scripts past MAX_RECORDS. */
export function recordDispatch(record: DispatchRecord): void {
  const key = `${record.accountId}/${record.namespace}/${record.script}`;
  records.delete(key);
  records.set(key, record);
  if (records.size > MAX_RECORDS) records.delete(records.keys().next().value as string);
}

export function dispatchRecords(accountId: string): DispatchRecord[] {
  return [...records.values()].filter((r) => r.accountId === accountId);
}

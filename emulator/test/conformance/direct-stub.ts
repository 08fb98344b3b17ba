import { exports } from "cloudflare:workers";

type Answer = { value: unknown } | { error: { name: string; message: string } };
type Methods<M extends string> = Record<M, (...args: unknown[]) => Promise<unknown>>;

/**
 * An entrypoint stub called as a tenant that bypassed the client could call
 * it: every method takes any arguments, and its settled answer (settled.ts)
 * is given back as the value or thrown as an error of the same name and message.
 */
function direct<M extends string>(stub: object): Methods<M> {
  return new Proxy({} as Methods<M>, {
    get: (_, method: string) => {
      const call = (stub as Partial<Methods<string>>)[method];
      if (call === undefined) throw new Error(`the entrypoint has no method ${method}`);
      return async (...args: unknown[]) => {
        const answer = (await call(...args)) as Answer;
        if ("value" in answer) return answer.value;
        const error = new Error(answer.error.message);
        error.name = answer.error.name;
        throw error;
      };
    },
  });
}

type KvMethod = "get" | "getWithMetadata" | "put" | "delete" | "list";
type R2Method =
  | "head"
  | "get"
  | "put"
  | "delete"
  | "list"
  | "createMultipartUpload"
  | "uploadPart"
  | "abortMultipartUpload"
  | "completeMultipartUpload";

export const tenantKv = (namespaceId: string) => direct<KvMethod>(exports.TenantKv({ props: { namespaceId } }));

export const tenantBucket = (accountId: string, bucketName: string) =>
  direct<R2Method>(exports.TenantR2Bucket({ props: { accountId, bucketName } }));

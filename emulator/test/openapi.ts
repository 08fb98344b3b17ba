import { type Schema, Validator } from "@cfworker/json-schema";
import spec from "./fixtures/cloudflare-openapi-subset.json";

/**
 * Checks emulator answers against Cloudflare's official OpenAPI schema (an
 * extract of cloudflare/api-schemas, BSD-3-Clause, in fixtures/). The schema
 * is OpenAPI 3.0, whose `nullable` JSON Schema does not know, so it is
 * rewritten once into plain JSON Schema before use.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Operation = { responses: Record<string, Json> };

function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== "object") return node;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "nullable" || key === "example" || key === "x-auditable") continue;
    out[key] = toJsonSchema(value);
  }
  if (node.nullable === true) {
    if (typeof out.type === "string") out.type = [out.type, "null"];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

const document = toJsonSchema(spec as unknown as Json) as { [key: string]: Json };
const paths = document.paths as Record<string, Record<string, Operation>>;

function resolve(node: Json): Json {
  if (node !== null && typeof node === "object" && !Array.isArray(node) && typeof node.$ref === "string") {
    const pointer = node.$ref.replace(/^#\//, "").split("/");
    let target: Json = document;
    for (const part of pointer)
      target = (target as { [key: string]: Json })[part.replace(/~1/g, "/").replace(/~0/g, "~")] as Json;
    return resolve(target);
  }
  return node;
}

/**
 * Several operations in the extract combine a generic envelope (`result:
 * {type: object}`) with a specific one (`result: {type: array}`) under
 * `allOf`, which no answer can satisfy. Stainless, which generates the SDK
 * from this schema, lets the later member's property win; so does this.
 */
function withoutProperty(node: Json, key: string): Json {
  const schema = resolve(node);
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return schema;
  const out: { [key: string]: Json } = { ...schema };
  if (out.properties !== null && typeof out.properties === "object" && !Array.isArray(out.properties)) {
    const { [key]: _dropped, ...rest } = out.properties;
    out.properties = rest;
  }
  if (Array.isArray(out.allOf)) out.allOf = out.allOf.map((member) => withoutProperty(member, key));
  return out;
}

function ownPropertyNames(node: Json): string[] {
  const schema = resolve(node);
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return [];
  const properties = schema.properties;
  return properties !== null && typeof properties === "object" && !Array.isArray(properties)
    ? Object.keys(properties)
    : [];
}

function laterPropertiesWin(node: Json): Json {
  if (Array.isArray(node)) return node.map(laterPropertiesWin);
  if (node === null || typeof node !== "object") return node;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) out[key] = laterPropertiesWin(value);
  if (Array.isArray(out.allOf)) {
    const members = out.allOf;
    out.allOf = members.map((member, i) =>
      members
        .slice(i + 1)
        .flatMap(ownPropertyNames)
        .reduce<Json>((m, name) => withoutProperty(m, name), member),
    );
  }
  return out;
}

/**
 * Answers that changed after the extract was taken (see the reference
 * README, "Newer than the schema"): List Buckets now wraps its array as
 * `{buckets: [...]}`, as the SDK's BucketListResponse has it.
 */
const newerResults: Record<string, Record<string, Json>> = {
  "/accounts/{account_id}/r2/buckets": {
    get: {
      type: "object",
      properties: { buckets: { type: "array", items: { $ref: "#/components/schemas/r2_bucket" } } },
      required: ["buckets"],
    },
  },
};
/**
 * Binding shapes the extract lacks or has since changed (the reference
 * README's binding list): plain_text, secret_text (its value never shown),
 * json, analytics_engine and assets (`{type, name}`, the SDK's
 * `WorkersBindingKindAssets`) are missing; d1 is listed with a `binding` field
 * the API no longer sends and without `database_id`; a service binding's
 * `environment` is optional.
 */
const schemas = (document.components as { schemas: Record<string, Json> }).schemas;
const binding = (type: string, properties: Record<string, Json>, required: string[] = []): Json => ({
  type: "object",
  properties: { type: { enum: [type] }, name: { type: "string" }, ...properties },
  required: ["type", "name", ...required],
  additionalProperties: false,
});
schemas.workers_d1_binding = binding("d1", { id: { type: "string" }, database_id: { type: "string" } }, ["id"]);
schemas.workers_service_binding = binding(
  "service",
  { service: { type: "string" }, environment: { type: "string" }, entrypoint: { type: "string" } },
  ["service"],
);
(schemas.workers_binding as { oneOf: Json[] }).oneOf.push(
  binding("plain_text", { text: { type: "string" } }, ["text"]),
  binding("secret_text", {}),
  binding("json", { json: {} }, ["json"]),
  binding("analytics_engine", { dataset: { type: "string" } }, ["dataset"]),
  binding("assets", {}),
);

/**
 * The extract's 4XX schemas for the Workers for Platforms paths are the
 * success envelope (`success: true`), which no refusal matches; every 4xx
 * answer is checked against the common failure envelope instead, which is
 * what all the extract's services share.
 */
const failureSchema: Json = { $ref: "#/components/schemas/workers_api-response-common-failure" };

for (const [template, methods] of Object.entries(newerResults)) {
  for (const [method, result] of Object.entries(methods)) {
    const operation = paths[template]?.[method];
    if (operation === undefined) continue;
    const ok = resolve(operation.responses["200"] as Json) as { content: Record<string, { schema: Json }> };
    const json = ok.content["application/json"] as { schema: Json };
    json.schema = { allOf: [json.schema, { type: "object", properties: { result } }] };
  }
}

const templates = Object.keys(paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
}));

/** The schema path template an API path falls under, if the extract covers it. */
export function operationFor(method: string, path: string): { template: string; operation: Operation } | undefined {
  // Prefer the most literal template: `/scripts/{name}/tags` over `/scripts/{name}`.
  const match = templates
    .filter((t) => t.pattern.test(path))
    .sort((a, b) => a.template.split("{").length - b.template.split("{").length)[0];
  const operation = match && paths[match.template]?.[method.toLowerCase()];
  return match && operation ? { template: match.template, operation } : undefined;
}

/**
 * Validates one JSON answer. Returns a list of problems, empty when the body
 * matches the schema for its status (the schema's `2XX`-style keys included).
 */
export function schemaProblems(method: string, path: string, status: number, body: unknown): string[] | undefined {
  const found = operationFor(method, path);
  if (found === undefined) return undefined;
  const responses = found.operation.responses;
  const key = [String(status), `${String(status)[0]}XX`, "default"].find((k) => k in responses);
  if (key === undefined) return [`${method} ${found.template}: the schema has no response for status ${status}`];
  const response = resolve(responses[key] as Json) as { content?: Record<string, { schema?: Json }> };
  const declared = status >= 400 ? failureSchema : response.content?.["application/json"]?.schema;
  const schema = declared === undefined ? undefined : laterPropertiesWin(declared);
  if (schema === undefined) return [];
  const validator = new Validator({ ...document, ...(schema as object) } as Schema, "2020-12", false);
  const result = validator.validate(body);
  return result.valid
    ? []
    : result.errors.map((e) => `${method} ${found.template} ${status}: ${e.instanceLocation} ${e.error}`);
}

/**
 * Validates one JSON part of a multipart request (the script upload's
 * `metadata`, the settings PATCH's `settings`) against that part's schema in
 * the extract, for clients that build these bodies themselves. Returns the
 * problems (empty when valid), or undefined when the extract has no schema
 * for the part.
 */
export function multipartPartProblems(
  method: string,
  path: string,
  part: string,
  value: unknown,
): string[] | undefined {
  const found = operationFor(method, path);
  const requestBody = found && resolve((found.operation as { requestBody?: Json }).requestBody ?? null);
  const content = (requestBody as { content?: Record<string, { schema?: Json }> } | null)?.content;
  const schema = resolve(content?.["multipart/form-data"]?.schema ?? null) as { oneOf?: Json[] } | null;
  const members = schema?.oneOf ?? (schema === null ? [] : [schema]);
  const partSchema = members
    .map((member) => (resolve(member) as { properties?: Record<string, Json> }).properties?.[part])
    .find((candidate) => candidate !== undefined);
  if (partSchema === undefined) return undefined;
  const validator = new Validator(
    { ...document, ...(laterPropertiesWin(partSchema) as object) } as Schema,
    "2020-12",
    false,
  );
  const result = validator.validate(value);
  return result.valid
    ? []
    : result.errors.map((e) => `${method} ${found?.template} part ${part}: ${e.instanceLocation} ${e.error}`);
}

/**
 * Error codes the Cloudflare v4 API answers with, named for what they mean.
 * Where a code was taken from observed API answers (issue threads, wrangler's
 * handling, the OpenAPI schema) rather than documentation, emulator/README.md
 * says so.
 */
export const ErrorCode = {
  // Authentication and routing, shared by every service.
  missingAuthHeaders: 9106,
  invalidAccessToken: 9109,
  invalidRequestHeaders: 6003,
  invalidAuthorizationFormat: 6111,
  rateLimited: 971,
  noRoute: 7000,
  invalidObjectIdentifier: 7003,
  methodNotAllowed: 10405,
  internalError: 10002,
  /** Cloudflare's generic "Authentication error": here, an assets upload JWT that is missing, expired, tampered with or another account's. */
  authenticationError: 10000,

  // Workers and Workers for Platforms.
  workersInvalidRequest: 10014,
  scriptNotFound: 10007,
  /** `GET …/namespaces/{ns}/scripts/{name}` for a script that is not there; wrangler deploys on it. */
  namespacedScriptNotFound: 10092,
  scriptValidationFailed: 10021,
  invalidScriptName: 10016,
  bindingResourceNotFound: 10041,
  dispatchNamespaceNotFound: 100119,
  dispatchNamespaceExists: 100120,
  scriptTooLarge: 10027,
  secretNotFound: 10056,
  migrationTagMismatch: 10079,
  /** A Durable Object binding to a class the script does not export, or that no migration created. */
  objectClassUnbindable: 10061,
  /** A migration that creates a class the script already has. */
  objectClassExists: 10074,
  unsupportedContentType: 10001,
  kvBindingInvalid: 10042,
  r2BindingNotFound: 10085,
  d1BindingNotFound: 10181,
  /** A secret change while the latest version is not the one deployed at 100% (wrangler's VERSION_NOT_DEPLOYED_ERR_CODE). */
  latestVersionNotDeployed: 10215,
  /** The same for a settings change (wrangler's VERSION_SETTINGS_NOT_DEPLOYED_ERR_CODE). */
  latestVersionSettingsNotDeployed: 10214,
  /** A deployment of a version whose secrets differ from the latest version's, without `force` (wrangler's rollback). */
  secretsChangedSinceVersion: 10220,
  /** A version or deployment id the script does not have (a guess: the Workers "not found" code). */
  versionNotFound: 10007,
  scriptTagLimit: 100103,
  /** A schedule whose cron expression Cloudflare refuses ("invalid cron string", seen in wrangler's issues). */
  invalidCron: 10100,
  scriptTagInvalid: 100134,

  // Workers KV.
  kvNamespaceTitleExists: 10014,
  kvNamespaceNotFound: 10013,
  kvInvalidRequest: 10011,

  // R2.
  r2BucketExists: 10004,
  r2BucketNotEmpty: 10008,
  r2BucketNotFound: 10006,
  r2ObjectNotFound: 10007,
  r2InvalidBucketName: 10005,
  /** "The specified object name is not valid." (empty, or over 1024 bytes). */
  r2InvalidObjectName: 10020,
  r2InvalidRequest: 10040,

  // Cloudflare for SaaS custom hostnames.
  /** The same hostname twice on a zone ("Duplicate custom hostname found."). */
  customHostnameExists: 1406,
  /** A custom hostname id the zone does not have. */
  customHostnameNotFound: 1436,
  // The rest as Cloudflare for SaaS documents them (reference/status-codes/custom-hostnames).
  /** A body that is not JSON. */
  customHostnameBadJson: 1400,
  /** A hostname that is not one: too long, an IP address, special characters. */
  customHostnameInvalid: 1407,
  /** A hostname with non-ASCII characters. */
  customHostnameNonAscii: 1408,
  /** A hostname under a reserved top-level domain (test, example, invalid, localhost). */
  customHostnameReservedTld: 1409,
  /** A DCV method other than http, txt (or email). */
  dcvMethodUnsupported: 1432,
  /** A validation type other than dv. */
  dcvTypeUnsupported: 1433,
  /** An `ssl` that is not an object of the documented fields. */
  sslAttributeInvalid: 1434,
  /** `ssl` without both `method` and `type`. */
  dcvMethodAndTypeRequired: 1440,
  /** A wildcard hostname with a certificate Cloudflare manages. */
  customHostnameWildcard: 1448,

  // D1.
  d1DatabaseExists: 7502,
  d1DatabaseNotFound: 7404,
  d1InvalidRequest: 7400,
  d1QueryError: 7500,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

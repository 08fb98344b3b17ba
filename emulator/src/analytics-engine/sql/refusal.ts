/**
 * A query the emulator's SQL API refuses: production answers 422 with its
 * reason as text, and so does the emulator, naming what it does not take.
 */
export class SqlRefusal extends Error {
  override readonly name = "SqlRefusal";
}

/** Past these a query is refused before it is parsed further (a hostile query must not cost the store). */
export const SQL_LIMITS = { queryChars: 65_536, tokens: 10_000, depth: 64 } as const;

// Types of run-cases.js for the TypeScript tests (the project does not type-check JS it imports).
export declare function runCases<B>(
  cases: { name: string; run: (binding: B) => Promise<unknown> }[],
  binding: B,
): Promise<Record<string, unknown>>;

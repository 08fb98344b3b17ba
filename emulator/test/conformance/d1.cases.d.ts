// Types of d1.cases.js for the TypeScript tests (the project does not type-check JS it imports).
export declare const cases: { name: string; run: (db: D1Database) => Promise<unknown> }[];

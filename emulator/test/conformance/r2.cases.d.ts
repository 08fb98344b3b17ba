// Types of r2.cases.js for the TypeScript tests (the project does not type-check JS it imports).
export declare const cases: { name: string; run: (bucket: R2Bucket) => Promise<unknown> }[];

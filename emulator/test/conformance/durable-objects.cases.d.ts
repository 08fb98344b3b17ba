// Types of durable-objects.cases.js for the TypeScript tests (the project does not type-check JS it imports).
export declare const cases: { name: string; run: (objects: DurableObjectNamespace) => Promise<unknown> }[];

// @ts-check
// Runs conformance cases one after another against one binding. Shipped into
// the loaded tenant worker as text and imported natively for the real side,
// so both sides run the cases the same way.

/**
 * @template B
 * @param {{ name: string, run: (binding: B) => Promise<unknown> }[]} cases
 * @param {B} binding
 * @returns {Promise<Record<string, unknown>>}
 */
export async function runCases(cases, binding) {
  /** @type {Record<string, unknown>} */
  const results = {};
  for (const { name, run } of cases) {
    try {
      results[name] = await run(binding);
    } catch (error) {
      // A case that throws outside its own `attempt` still gives a comparable result.
      results[name] = { caseThrew: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  }
  return JSON.parse(JSON.stringify(results));
}

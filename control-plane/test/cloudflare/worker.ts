export { ApiBudget } from "../../src/cloudflare/budget";

export default {
  fetch: () => new Response(null, { status: 404 }),
} satisfies ExportedHandler;

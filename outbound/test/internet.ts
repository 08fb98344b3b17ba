/**
 * The "Internet" in tests: the outbound Worker's fetch() goes here (miniflare's
 * outboundService) instead of the network. It answers with what reached it,
 * except `/redirect`, which redirects to the cloud metadata address.
 */
export const INTERNET = {
  name: "internet",
  modules: true,
  script: `export default {
    async fetch(request) {
      if (new URL(request.url).pathname === "/redirect") return Response.redirect("http://169.254.169.254/", 302);
      return Response.json({
        internet: true,
        url: request.url,
        method: request.method,
        headers: Object.fromEntries(request.headers),
        body: await request.text(),
      });
    },
  };`,
};

/** What the "Internet" answers. */
export interface InternetEcho {
  internet: true;
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

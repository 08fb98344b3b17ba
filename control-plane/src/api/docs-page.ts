/** What the page reads of the OpenAPI document. */
type OpenApiDocument = {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, unknown>;
};

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] as string,
  );

/**
 * The API's reference as one self-contained HTML page, rendered from the
 * OpenAPI document. Written here rather than served by Swagger UI or Scalar:
 * those load their scripts from a CDN, which a laptop offline or a locked-down
 * network cannot reach.
 */
export function renderDocsPage(document: OpenApiDocument): string {
  const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    (["get", "post", "put", "patch", "delete"] as const).flatMap((method) => {
      const operation = (
        item as Record<
          string,
          { summary?: string; description?: string; responses?: Record<string, { description?: string }> } | undefined
        >
      )[method];
      if (operation === undefined) return [];
      const responses = Object.entries(operation.responses ?? {})
        .map(
          ([status, response]) =>
            `<li><code>${escapeHtml(status)}</code> ${escapeHtml(response.description ?? "")}</li>`,
        )
        .join("");
      return [
        `<section><h2><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h2>` +
          `<p><strong>${escapeHtml(operation.summary ?? "")}</strong></p>` +
          (operation.description ? `<p>${escapeHtml(operation.description)}</p>` : "") +
          `<ul>${responses}</ul></section>`,
      ];
    }),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(document.info.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code{background:#f4f4f4;padding:0 .25rem;border-radius:3px}
section{border-top:1px solid #ddd;padding:.5rem 0}
h2{font-size:1.1rem}
.method{display:inline-block;min-width:4.5rem;color:#fff;border-radius:3px;padding:0 .4rem;font-size:.9rem;text-align:center}
.get{background:#2f6f9f}.post{background:#3a8f3a}.put{background:#b07a1a}.patch{background:#7a5aa8}.delete{background:#b03a3a}
</style></head><body>
<h1>${escapeHtml(document.info.title)} <small>${escapeHtml(document.info.version)}</small></h1>
<p>${escapeHtml(document.info.description ?? "")}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Every <code>/v1</code> call needs <code>Authorization: Bearer &lt;PLATFORM_API_TOKEN&gt;</code>. Errors are <code>{"error": {"code", "message", "details"?}}</code>.</p>
${operations.join("\n")}
</body></html>`;
}

/**
 * The console's progressive JavaScript, served at /console/console.js. Every page works
 * without it; with it, a page that is waiting on something (a tenant provisioning, a rollout
 * running) refreshes itself: an element with `data-refresh-ms` is fetched again that often and
 * replaced in place, unless the operator is typing in it; a tenant's logs (`data-live-logs`, the
 * URL of their event stream) grow as the tenant logs.
 */
export const CONSOLE_JS = `
"use strict";
function refreshing(el) {
  const ms = Number(el.dataset.refreshMs);
  if (!Number.isFinite(ms) || ms < 500) return;
  const again = async () => {
    if (document.visibilityState === "visible" && !el.contains(document.activeElement)) {
      try {
        const response = await fetch(location.href, { headers: { accept: "text/html" }, credentials: "same-origin" });
        if (response.ok && !response.redirected) {
          const page = new DOMParser().parseFromString(await response.text(), "text/html");
          const fresh = el.id ? page.getElementById(el.id) : null;
          if (fresh) {
            el.replaceWith(fresh);
            if (fresh.dataset.refreshMs) refreshing(fresh);
            return;
          }
        }
      } catch {}
    }
    setTimeout(again, ms);
  };
  setTimeout(again, ms);
}
document.querySelectorAll("[data-refresh-ms][id]").forEach(refreshing);

// A tenant's live logs: the console's own event stream (same origin, the session's cookie),
// each event's text appended as text, never as HTML; kept scrolled to the end while it is there.
function followingLogs(el) {
  if (typeof EventSource !== "function") return;
  const source = new EventSource(el.dataset.liveLogs);
  source.onmessage = (message) => {
    const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
    el.append(document.createTextNode(message.data + "\\n"));
    if (atEnd) el.scrollTop = el.scrollHeight;
  };
  el.dataset.following = "on";
}
document.querySelectorAll("pre[data-live-logs]").forEach(followingLogs);
`;

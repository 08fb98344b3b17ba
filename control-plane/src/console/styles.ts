/**
 * The console's one stylesheet, served at /console/console.css (a file of its own so the
 * Content-Security-Policy can forbid inline styles). Colours meet WCAG AA contrast on their
 * backgrounds; the layout reflows to one column on a phone.
 */
export const CONSOLE_CSS = `
:root { color-scheme: light; --fg: #1d1d1f; --muted: #52525b; --bg: #fff; --panel: #f6f6f7; --line: #d4d4d8;
  --accent: #b4460a; --accent-fg: #fff; --ok: #166534; --warn: #92400e; --bad: #b91c1c; --info: #1e40af; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: #9a3412; }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible {
  outline: 3px solid #2563eb; outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; z-index: 10; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 20px; padding: 10px 20px; border-bottom: 1px solid var(--line); background: var(--panel); }
header.top .brand { font-weight: 700; color: var(--fg); text-decoration: none; }
header.top nav ul { display: flex; gap: 16px; list-style: none; margin: 0; padding: 0; }
header.top nav a[aria-current="page"] { font-weight: 700; color: var(--fg); }
header.top form { margin-left: auto; }
main { max-width: 1200px; margin: 0 auto; padding: 20px; }
h1 { font-size: 1.6rem; margin: 0 0 16px; } h2 { font-size: 1.2rem; margin: 28px 0 10px; }
table { border-collapse: collapse; width: 100%; }
.table-wrap { overflow-x: auto; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; background: var(--panel); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 0.85em; font-weight: 600; border: 1px solid currentColor; }
.badge.ok { color: var(--ok); } .badge.warn { color: var(--warn); } .badge.bad { color: var(--bad); } .badge.info { color: var(--info); } .badge.muted { color: var(--muted); }
.muted { color: var(--muted); }
form.inline { display: inline; }
fieldset { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 16px; padding: 12px 16px; }
label { display: block; font-weight: 600; margin: 10px 0 4px; }
label.inline { display: inline; font-weight: 400; }
input[type=text], input[type=password], input[type=search], input:not([type]), select, textarea {
  width: 100%; max-width: 36rem; padding: 6px 8px; font: inherit; border: 1px solid #71717a; border-radius: 4px; background: #fff; color: var(--fg); }
textarea { min-height: 8rem; font-family: ui-monospace, Menlo, Consolas, monospace; }
.hint { color: var(--muted); font-size: 0.9em; margin: 2px 0 0; }
.field-error { color: var(--bad); font-weight: 600; margin: 2px 0 0; }
button, .button { display: inline-block; padding: 6px 14px; font: inherit; font-weight: 600; border-radius: 4px; border: 1px solid var(--accent);
  background: var(--accent); color: var(--accent-fg); cursor: pointer; text-decoration: none; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); }
.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: end; margin-bottom: 16px; }
.filters label { margin: 0 0 4px; } .filters input, .filters select { width: auto; }
.notice { padding: 10px 14px; border-radius: 6px; margin: 0 0 16px; border: 1px solid var(--line); background: var(--panel); }
.notice.error { border-color: var(--bad); color: var(--bad); background: #fef2f2; }
.notice.ok { border-color: var(--ok); color: var(--ok); background: #f0fdf4; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 20px; }
.chart svg { width: 100%; height: auto; display: block; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 520px), 1fr)); gap: 8px 24px; }
figure.chart { margin: 0; } .chart details { margin: 4px 0 0; }
@media (max-width: 640px) { .chart svg .tick, .chart svg .legend { font-size: 16px; } }
ol.timeline { list-style: none; padding: 0; margin: 0; border-left: 3px solid var(--line); }
ol.timeline > li { position: relative; padding: 4px 0 12px 16px; }
pre.logs { background: #18181b; color: #f4f4f5; padding: 12px; border-radius: 6px; max-height: 24rem; overflow: auto; font-size: 0.85em; white-space: pre-wrap; }
.pager { display: flex; gap: 12px; margin-top: 12px; }
.step-error { color: var(--bad); margin: 2px 0 0; overflow-wrap: anywhere; }
article.operation { margin: 0 0 20px; } article.operation h3 { font-size: 1.05rem; margin: 0 0 4px; }
ul.hostnames > li { margin-bottom: 10px; } caption { text-align: left; font-weight: 600; padding: 4px 0; }
ul.plain { list-style: none; margin: 0; padding: 0; } th.number, td.number { text-align: right; font-variant-numeric: tabular-nums; }
.progress { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: center; } .progress progress { width: 12rem; max-width: 100%; }
@media (max-width: 640px) { main { padding: 12px; } header.top form { margin-left: 0; } dl.facts { grid-template-columns: 1fr; } }
`;

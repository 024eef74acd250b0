// The account example's one stylesheet, served at /style.css: no framework, no build step.
export const STYLE = `
:root { --ink: #1d2330; --muted: #5d6678; --line: #dde1e8; --bg: #f5f6f8; --accent: #2454d6;
  --ok: #1d7a46; --ok-bg: #e6f4ec; --bad: #b3261e; --bad-bg: #fbeae9; color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: var(--bg); }
header { background: #fff; border-bottom: 1px solid var(--line); }
header .bar { max-width: 46rem; margin: 0 auto; padding: .75rem 1.25rem; display: flex;
  align-items: center; gap: 1rem; flex-wrap: wrap; }
header .brand { font-weight: 700; color: var(--ink); text-decoration: none; margin-right: auto; }
nav { display: flex; gap: .25rem; align-items: center; flex-wrap: wrap; }
nav a, .link { color: var(--accent); text-decoration: none; padding: .35rem .6rem; border-radius: 6px;
  background: none; border: 0; font: inherit; cursor: pointer; }
nav a:hover, .link:hover { background: #eef2fd; }
nav a[aria-current="page"] { color: var(--ink); font-weight: 600; }
main { max-width: 46rem; margin: 2rem auto; padding: 0 1.25rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 1.5rem;
  margin-bottom: 1.25rem; }
.narrow { max-width: 26rem; margin-left: auto; margin-right: auto; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
h2 { font-size: 1.1rem; margin: 0 0 .75rem; }
p { margin: 0 0 1rem; }
.muted { color: var(--muted); font-size: .925rem; }
label { display: block; font-weight: 600; margin: 0 0 .3rem; }
input[type=text], input[type=password] { width: 100%; padding: .55rem .7rem; font: inherit;
  border: 1px solid #c5cad5; border-radius: 6px; margin: 0 0 1rem; background: #fff; }
input:focus { outline: 2px solid var(--accent); outline-offset: 1px; }
.check { display: flex; gap: .5rem; align-items: center; font-weight: 400; margin-bottom: 1rem; }
button, .button { font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 0;
  border-radius: 6px; padding: .55rem 1.1rem; cursor: pointer; }
button.secondary { background: #fff; color: var(--bad); border: 1px solid #e4b8b5; }
.flash { border-radius: 8px; padding: .7rem 1rem; margin-bottom: 1.25rem; }
.flash.notice { background: var(--ok-bg); color: var(--ok); }
.flash.error { background: var(--bad-bg); color: var(--bad); }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .6rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.tag { display: inline-block; font-size: .75rem; font-weight: 600; color: var(--ok);
  background: var(--ok-bg); border-radius: 999px; padding: .05rem .55rem; margin-left: .35rem; }
form.inline { display: inline; }
.actions { display: flex; gap: .75rem; align-items: center; flex-wrap: wrap; }
footer { max-width: 46rem; margin: 0 auto 2rem; padding: 0 1.25rem; color: var(--muted); font-size: .85rem; }
`;

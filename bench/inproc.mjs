// In-process CPU cost per request of the session cases: drives app.handler with fake
// node:http objects (no sockets, no parser), so only the framework's own work is timed.
// Usage: node bench/inproc.mjs <distDirA> [<distDirB> ...]  (each a built `dist/src`)
// Env: INPROC_N (requests per sample, 20000), INPROC_ROUNDS (7), INPROC_CASES (read,encrw,rw,hello).
import { randomBytes } from 'node:crypto';
import { ServerResponse } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const N = Number(process.env.INPROC_N ?? 4000);
const ROUNDS = Number(process.env.INPROC_ROUNDS ?? 40);
const CASES = (process.env.INPROC_CASES ?? 'hello,read,rw,encrw').split(',');
const SECRET = randomBytes(32).toString('base64url');

async function build(dir) {
  const base = pathToFileURL(path.resolve(dir)).href;
  const { Microdot } = await import(`${base}/index.js`);
  const { Session, withSession } = await import(`${base}/session/index.js`);
  const apps = {};
  {
    const app = new Microdot();
    app.get('/', () => 'Hello, World!');
    apps.hello = app;
  }
  const mk = (encrypt, write) => {
    const app = new Microdot();
    new Session(app, { secretKey: SECRET, encrypt });
    app.get(
      '/',
      withSession((_req, session) => {
        if (!write) return `count ${session.count ?? 0}`;
        session.count = (session.count ?? 0) + 1;
        session.save();
        return `count ${session.count}`;
      }),
    );
    return app;
  };
  apps.read = mk(false, false);
  apps.rw = mk(false, true);
  apps.encrw = mk(true, true);
  // Issue the cookies (count 1) through the rw apps.
  const issue = (app) => {
    const out = call(app.handler, undefined);
    const sc = out.headers['set-cookie'][0];
    return sc.slice(0, sc.indexOf(';'));
  };
  const signed = issue(apps.rw);
  const enc = issue(apps.encrw);
  return {
    hello: [apps.hello.handler, undefined],
    read: [apps.read.handler, signed],
    rw: [apps.rw.handler, signed],
    encrw: [apps.encrw.handler, enc],
  };
}

const socket = { remoteAddress: '127.0.0.1', encrypted: false };
let sink = 0;
function call(handler, cookie) {
  const headers = { host: '127.0.0.1', 'user-agent': 'wrk', accept: '*/*' };
  if (cookie !== undefined) headers.cookie = cookie;
  const nreq = {
    url: '/',
    method: 'GET',
    headers,
    socket,
    httpVersionMajor: 1,
    httpVersionMinor: 1,
  };
  // A real ServerResponse without a socket: writeHead builds the header block as on the wire,
  // end() queues the bytes.
  const nres = new ServerResponse(nreq);
  handler(nreq, nres);
  const out = { status: nres.statusCode, headers: { 'set-cookie': nres.getHeader('set-cookie') } };
  if (out.headers['set-cookie'] === undefined) {
    const m = /\r\nset-cookie: ([^\r]*)/i.exec(nres._header ?? '');
    out.headers['set-cookie'] = m === null ? undefined : [m[1]];
  }
  sink += out.status;
  return out;
}

const dirs = process.argv.slice(2);
const variants = [];
for (const d of dirs) variants.push({ dir: d, cases: await build(d) });
// Sanity: bodies.
for (const v of variants) {
  for (const c of CASES) {
    const [h, ck] = v.cases[c];
    const o = call(h, ck);
    if (o.status !== 200) throw new Error(`${v.dir} ${c}: ${o.status}`);
  }
}
const results = new Map();
for (let r = 0; r < ROUNDS; r++) {
  for (const c of CASES) {
    const order = r % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      const [h, ck] = v.cases[c];
      const t0 = process.cpuUsage();
      const w0 = process.hrtime.bigint();
      for (let i = 0; i < N; i++) call(h, ck);
      const cpu = process.cpuUsage(t0);
      void w0;
      const w = (cpu.user + cpu.system) / N;
      const key = `${c}\t${v.dir}`;
      if (!results.has(key)) results.set(key, []);
      results.get(key).push(w);
    }
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
// The machine's speed drifts over seconds (shared VM): compare variants round by round.
for (const c of CASES) {
  const base = results.get(`${c}\t${variants[0].dir}`);
  const line = variants.map((v, i) => {
    const a = results.get(`${c}\t${v.dir}`);
    const cell = `${median(a).toFixed(2)}µs`;
    if (i === 0) return cell;
    const diff = median(a.map((x, r) => x - base[r]));
    const ratio = median(a.map((x, r) => x / base[r]));
    return `${cell} (paired Δ ${diff >= 0 ? '+' : ''}${diff.toFixed(2)}µs, ×${ratio.toFixed(3)})`;
  });
  console.log(`${c.padEnd(6)} ${line.join('   ')}`);
}
if (process.env.INPROC_DUMP)
  for (const [k, a] of results) console.log(k, a.map((x) => x.toFixed(1)).join(' '));
if (sink < 0) console.log(sink);

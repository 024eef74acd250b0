// Runs the listed test suites under Bun and Deno, and a session round trip under workerd
// (Cloudflare Workers' runtime, nodejs_compat), against the compiled tests and dist/src.
// The binaries come from the npm packages in runtimes/package.json (`npm --prefix runtimes ci`;
// their install scripts are not needed: each binary is inside its platform package).
// Usage: npx tsc -p tsconfig.json && node runtimes/run.mjs [bun|deno|workerd …]
// To cover another feature, add its compiled test files to SUITES.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = (path) => join(root, 'runtimes', 'node_modules', path);

/**
 * The suites each runtime runs: compiled test files or folders, relative to the repository, or
 * `{ path, only: [runtimes] }` for a suite known to fail elsewhere (say why, and in the README).
 */
export const SUITES = [
  // app.fetch: routing, bodies, 413, HEAD, cookies, sessions through Web Request/Response.
  'dist/test/fetch.test.js',
  // Sessions: signed, encrypted (JWE), key ring and rotation, expiry and timeouts, flash,
  // verifyCache, store mode (memory and Redis; SQLite is Node only), errors, PyJWT interop.
  'dist/test/session',
  // Stores through their contract suite (better-sqlite3 is Node only, see README).
  'dist/test/stores/memory.test.js',
  'dist/test/stores/redis.test.js',
  'dist/test/stores/postgres.test.js',
  // Extensions: login, CSRF, CORS, Basic/token auth and password hashing.
  'dist/test/login',
  'dist/test/csrf',
  'dist/test/cors',
  'dist/test/auth',
  // Server-Sent Events, and WebSocket over startServer's node:http upgrade (the load test needs
  // Node's --expose-gc). Under Deno one WebSocket case fails (README, "Runtimes"): Bun only.
  'dist/test/sse',
  { path: 'dist/test/websocket/websocket.test.js', only: ['bun'] },
  'dist/test/websocket/websocket.microdot.test.js',
  'dist/test/websocket/handshake.property.test.js',
];

const RUNTIMES = {
  bun: {
    binary: bin('@oven/bun-linux-x64/bin/bun'),
    args: (files) => ['test', '--timeout', '60000', ...files],
  },
  deno: {
    binary: bin('@deno/linux-x64-glibc/deno'),
    args: (files) => ['test', '--allow-all', '--no-check', ...files],
  },
  workerd: { binary: bin('@cloudflare/workerd-linux-64/bin/workerd'), run: workerdRoundTrip },
};

function run(binary, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(binary, args, {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
      ...options,
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Serves runtimes/worker.mjs with workerd on a free port and walks a session through it. */
async function workerdRoundTrip(binary) {
  const modules = ['runtimes/worker.mjs'];
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.js')) modules.push(path);
    }
  };
  walk('dist/src');
  const config = join(root, 'runtimes', '.workerd.capnp');
  writeFileSync(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
${modules.map((m) => `    (name = "${m}", esModule = embed "${relative(join(root, 'runtimes'), join(root, m))}")`).join(',\n')}
  ],
  compatibilityDate = "2026-06-01",
  compatibilityFlags = ["nodejs_compat"],
);
`,
  );
  const child = spawn(binary, ['serve', config, '--control-fd=3'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
  });
  try {
    const port = await new Promise((resolve, reject) => {
      let buffered = '';
      child.stdio[3].on('data', (chunk) => {
        buffered += chunk;
        for (const line of buffered.split('\n').slice(0, -1)) {
          const event = JSON.parse(line);
          if (event.event === 'listen' && event.socket === 'http') resolve(event.port);
        }
        buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
      });
      child.on('exit', (code) => reject(new Error(`workerd exited (${code}) before listening`)));
      setTimeout(() => reject(new Error('workerd did not listen within 30 s')), 30_000).unref();
    });
    const base = `http://127.0.0.1:${port}`;
    const visit = async (path, cookie) => {
      const res = await fetch(base + path, { headers: cookie ? { cookie } : {} });
      const set = res.headers.get('set-cookie');
      return { status: res.status, text: await res.text(), cookie: set?.split(';')[0] ?? cookie };
    };
    const checks = [];
    const expect = (label, got, want) => {
      const ok = got.status === 200 && got.text === want;
      checks.push(ok);
      console.log(`${ok ? 'ok' : 'not ok'} - workerd: ${label} (${got.status} ${got.text})`);
    };
    for (const mode of ['signed', 'encrypted']) {
      const first = await visit(`/${mode}/visit/ada`);
      expect(`${mode} session, new`, first, 'ada 1');
      expect(
        `${mode} session, round trip`,
        await visit(`/${mode}/visit/ada`, first.cookie),
        'ada 2',
      );
      const [head, payload, ...rest] = first.cookie.split('.');
      const tampered = [head, `${payload.slice(0, -2)}AA`, ...rest].join('.');
      expect(
        `${mode} session, tampered cookie refused`,
        await visit(`/${mode}/visit/ada`, tampered),
        'ada 1',
      );
    }
    const old = await visit('/old/visit/bo');
    const rotated = await visit('/ring/visit/bo', old.cookie);
    expect('key ring: a cookie of the older key is accepted', rotated, 'bo 2');
    expect(
      'key ring: and re-issued with the newer key',
      await visit('/signed/visit/bo', rotated.cookie),
      'bo 3',
    );
    return checks.every(Boolean) ? 0 : 1;
  } finally {
    child.kill();
    rmSync(config, { force: true });
  }
}

const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(RUNTIMES);
let passed = 0;
let failed = 0;
for (const name of wanted) {
  const runtime = RUNTIMES[name];
  if (runtime === undefined) throw new Error(`unknown runtime ${name}: ${Object.keys(RUNTIMES)}`);
  if (!existsSync(runtime.binary)) {
    console.error(`${name}: ${runtime.binary} is missing; run npm --prefix runtimes ci`);
    failed++;
    continue;
  }
  const started = performance.now();
  console.log(`== ${name}`);
  const code = runtime.run
    ? await runtime.run(runtime.binary)
    : await run(
        runtime.binary,
        runtime.args(
          SUITES.filter((s) => typeof s === 'string' || s.only.includes(name)).map((s) =>
            typeof s === 'string' ? s : s.path,
          ),
        ),
      );
  console.log(
    `== ${name}: ${code === 0 ? 'passed' : 'FAILED'} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  if (code === 0) passed++;
  else failed++;
}
console.log(`runtimes: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

// The consumer check (#14): packs the package as `npm pack` does (prepack builds dist/src),
// installs the tarball into fresh temporary projects and, in each, type-checks (TypeScript) and
// runs a signed and an encrypted session round trip through TestClient:
//   nodenext/  TypeScript, "module": "nodenext"
//   bundler/   TypeScript, "moduleResolution": "bundler"
//   mjs/       plain JavaScript, import
//   cjs/       CommonJS, require() (Node >= 20.19 loads ES modules with require())
// The projects share one node_modules one folder up (Node and TypeScript both look there), so
// the tarball, typescript and @types/node are installed once. Every subpath export of
// package.json other than those built on an optional peer (the stores, websocket) is imported in the
// TypeScript projects, so a missing export, declaration or file fails the check.
// Usage: node .ci/consumer-check.mjs   (exits 1 on any failure)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const versionOf = (name) =>
  JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')).version;
const started = performance.now();
const tmp = mkdtempSync(join(tmpdir(), 'microdot-consumer-'));
const run = (cmd, args, cwd) => {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  } catch (err) {
    process.stdout.write(err.stdout ?? ''); // tsc reports its errors on stdout
    throw err;
  }
};
const step = (label) =>
  console.log(`-- ${label} (${((performance.now() - started) / 1000).toFixed(1)} s)`);

try {
  step('npm pack');
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tmp], repo));
  const tarball = join(tmp, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  for (const needed of ['LICENSE', 'README.md', 'dist/src/index.js', 'dist/src/index.d.ts']) {
    if (!files.includes(needed)) throw new Error(`the tarball lacks ${needed}`);
  }
  for (const map of files.filter((f) => f.endsWith('.js.map'))) {
    const source = `src/${map.slice('dist/src/'.length).replace(/\.js\.map$/, '.ts')}`;
    if (!files.includes(source)) throw new Error(`${map} points to ${source}, not in the tarball`);
  }

  step(`npm install ${packed[0].filename} (${files.length} files)`);
  writeFileSync(join(tmp, 'package.json'), '{ "private": true }\n');
  run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      tarball,
      `typescript@${versionOf('typescript')}`,
      `@types/node@${versionOf('@types/node')}`,
    ],
    tmp,
  );

  const subpaths = Object.keys(pkg.exports)
    // Subpaths built on an optional peer (the stores; websocket on ws) need it installed.
    .filter((s) => s !== './package.json' && !s.startsWith('./stores/') && s !== './websocket')
    .map((s) => (s === '.' ? pkg.name : `${pkg.name}/${s.slice(2)}`));
  const everyExport = subpaths
    .map(
      (s, i) =>
        `import * as m${i} from '${s}';\nif (Object.keys(m${i}).length === 0) throw new Error('${s} exports nothing');`,
    )
    .join('\n');
  const roundTrip = (typed) => `
const results = [];
for (const encrypt of [false, true]) {
  const app = new Microdot();
  new Session(app, { secretKey: 'consumer-check-key-of-32-bytes-or-more', encrypt });
  app.get(
    '/visits/<name>',
    withSession((_req, session${typed ? ': SessionDict<{ visits?: number }>' : ''}, { name }) => {
      session.visits = (session.visits ?? 0) + 1;
      session.save();
      return \`\${name} \${session.visits}\`;
    }),
  );
  const client = new TestClient(app);
  await client.get('/visits/ada');
  const res = await client.get('/visits/ada');
  if (res.statusCode !== 200 || res.text !== 'ada 2') {
    throw new Error(\`encrypt=\${encrypt}: \${res.statusCode} \${res.text}\`);
  }
  results.push(encrypt ? 'encrypted' : 'signed');
}
console.log('round trip ok:', results.join(', '));`;
  const esmImports = (typed) => `import { Microdot } from 'microdot-ts';
import { ${typed ? 'type SessionDict, ' : ''}Session, withSession } from 'microdot-ts/session';
import { TestClient } from 'microdot-ts/test-client';
`;
  const tsconfig = (compilerOptions) =>
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023'],
        strict: true,
        types: ['node'],
        skipLibCheck: false,
        outDir: 'out',
        ...compilerOptions,
      },
      include: ['*.ts'],
    });
  const projects = {
    nodenext: {
      'package.json': '{ "type": "module" }\n',
      'tsconfig.json': tsconfig({ module: 'nodenext', moduleResolution: 'nodenext' }),
      'app.ts': `${esmImports(true)}${roundTrip(true)}\n`,
      'exports.ts': `${everyExport}\nexport {};\n`,
    },
    bundler: {
      'package.json': '{ "type": "module" }\n',
      'tsconfig.json': tsconfig({ module: 'esnext', moduleResolution: 'bundler' }),
      'app.ts': `${esmImports(true)}${roundTrip(true)}\n`,
      'exports.ts': `${everyExport}\nexport {};\n`,
    },
    mjs: { 'app.mjs': `${esmImports(false)}${roundTrip(false)}\n` },
    cjs: {
      'app.cjs': `const { Microdot } = require('microdot-ts');
const { Session, withSession } = require('microdot-ts/session');
const { TestClient } = require('microdot-ts/test-client');
(async () => {${roundTrip(false)}
})().catch((err) => { console.error(err); process.exit(1); });
`,
    },
  };
  const tsc = join(tmp, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const [name, projectFiles] of Object.entries(projects)) {
    const dir = join(tmp, name);
    mkdirSync(dir);
    for (const [file, text] of Object.entries(projectFiles)) writeFileSync(join(dir, file), text);
    if ('tsconfig.json' in projectFiles) {
      step(`${name}: tsc`);
      run(process.execPath, [tsc, '-p', '.'], dir);
      step(`${name}: node out/app.js, out/exports.js`);
      process.stdout.write(run(process.execPath, ['out/app.js'], dir));
      run(process.execPath, ['out/exports.js'], dir);
    } else {
      const file = Object.keys(projectFiles)[0];
      step(`${name}: node ${file}`);
      process.stdout.write(run(process.execPath, [file], dir));
    }
  }
  step('consumer check: 4 passed, 0 failed');
} catch (err) {
  console.error(`consumer check failed: ${err.message}`);
  process.exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

// Checks that every `exports` subpath of package.json resolves after the build and that its
// `types` file exists, importing each through the package's own name (as a user would), and
// that tsconfig.json maps it to its source (else `npx tsx app.ts` in a fresh clone, with no
// dist/, cannot import that subpath).
import { existsSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const tsconfig = JSON.parse(readFileSync(new URL('../tsconfig.json', import.meta.url), 'utf8'));
const paths = tsconfig.compilerOptions.paths ?? {};
let failed = 0;
for (const [subpath, target] of Object.entries(pkg.exports)) {
  if (typeof target === 'string') continue;
  const keys = Object.keys(target);
  if (keys[0] !== 'types') {
    console.error(`${subpath}: "types" must come first`);
    failed++;
  }
  if (!existsSync(new URL(`../${target.types}`, import.meta.url))) {
    console.error(`${subpath}: missing ${target.types}`);
    failed++;
  }
  const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
  const source = target.default.replace(/^\.\/dist\/src\//, './src/').replace(/\.js$/, '.ts');
  if (paths[specifier]?.[0] !== source) {
    console.error(`${specifier}: tsconfig.json "paths" must map it to ${source}`);
    failed++;
  }
  try {
    const mod = await import(specifier);
    if (Object.keys(mod).length === 0) throw new Error('exports nothing');
    console.log(`ok ${specifier}: ${Object.keys(mod).join(', ')}`);
  } catch (err) {
    console.error(`${specifier}: ${err.message}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);

// Checks that every `exports` subpath of package.json resolves after the build and that its
// `types` file exists, importing each through the package's own name (as a user would).
import { existsSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
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

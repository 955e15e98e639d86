// `npm install`'s prepare step: build dist/ unless it is already newer than everything it is built
// from. npm 11 runs a package's own bin (`npx cam-gateway` in this folder) by installing the
// folder into npx's cache, which runs prepare once more: without this check the first
// `npx cam-gateway --demo` after `npm install` rebuilt everything (10–30 s) before it started.
//
//   node scripts/prepare.mjs           build when stale
//   node scripts/prepare.mjs --stamp   record that dist/ was just built (the end of `npm run build`)
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');

if (process.argv.includes('--stamp')) {
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  process.exit(0);
}

/** The newest modification time under `path` (a file or a folder), ms. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const name of readdirSync(path)) latest = Math.max(latest, newest(join(path, name)));
  return latest;
}

const inputs = [
  'src',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'tsconfig.web.json',
  'scripts/copy-web-assets.mjs',
];
const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const changedAt = Math.max(...inputs.map((p) => newest(join(root, p))));
if (builtAt > changedAt) {
  console.log('dist/ is up to date');
} else {
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}

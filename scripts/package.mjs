// `npm run package`: builds both browsers and writes the store uploads to dist/packages/:
//   warden-chrome-VERSION.zip   Chrome Web Store (dist/chrome, manifest at the root)
//   warden-firefox-VERSION.zip  addons.mozilla.org (dist/firefox, manifest at the root), after
//                               `web-ext lint` passed (no error, no unexplained warning)
//   warden-source-VERSION.zip   the source AMO asks for: every file git tracks (no node_modules,
//                               no dist), with the README's build steps
// VERSION comes from package.json (vite.config.ts writes it into both manifests).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { lintFirefox } from './lint-firefox.mjs';
import { writeZip } from './zip.mjs';

const root = resolve(import.meta.dirname, '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = join(root, 'dist', 'packages');

function run(what, cmd, args, env = {}) {
  console.log(`== ${what}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`${what} failed`);
    process.exit(1);
  }
}

/** Every file under `dir`, sorted, as paths relative to it; dotfiles and folders are left out. */
function filesUnder(dir) {
  const walk = (d) => readdirSync(d, { withFileTypes: true }).filter((e) => !e.name.startsWith('.')).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  return walk(dir).map((f) => relative(dir, f).split('\\').join('/')).sort();
}

function zipFiles(file, base, names) {
  const size = writeZip(file, names.map((name) => ({ name, data: readFileSync(join(base, name)) })));
  report(file, size, names.length);
}

function report(file, size = statSync(file).size, count) {
  const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
  console.log(`   ${relative(root, file)}  ${(size / 1024).toFixed(0)} KiB${count ? `, ${count} files` : ''}  sha256 ${sha.slice(0, 16)}…`);
}

function manifestVersion(dir) {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).version;
}

run('build dist/chrome', 'npx', ['vite', 'build', '--logLevel', 'warn'], { TARGET: 'chrome' });
run('build dist/firefox', 'npx', ['vite', 'build', '--logLevel', 'warn'], { TARGET: 'firefox' });
const chromeDir = join(root, 'dist', 'chrome');
const firefoxDir = join(root, 'dist', 'firefox');
for (const dir of [chromeDir, firefoxDir]) {
  if (manifestVersion(dir) !== version) throw new Error(`${relative(root, dir)}/manifest.json has version ${manifestVersion(dir)}, package.json ${version}`);
}

console.log('== web-ext lint dist/firefox');
const lint = await lintFirefox(firefoxDir);
for (const w of lint.unexplained) console.error(`   warning ${w.code} ${w.file ?? ''}: ${w.message}`);
for (const e of lint.errors) console.error(`   error ${e.code} ${e.file ?? ''}: ${e.message}`);
if (lint.errors.length || lint.unexplained.length) {
  console.error('web-ext lint found errors or unexplained warnings (npm run lint:firefox): no packages written');
  process.exit(1);
}
console.log(`   0 errors, ${lint.explained.length} explained warnings (README: Chrome and Firefox → web-ext lint)`);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
console.log('== packages');

zipFiles(join(out, `warden-chrome-${version}.zip`), chromeDir, filesUnder(chromeDir));

// The same reproducible writer as the Chrome zip (web-ext's own build stamps the current time):
// the same dist/firefox always gives the same bytes, which a reviewer can check.
zipFiles(join(out, `warden-firefox-${version}.zip`), firefoxDir, filesUnder(firefoxDir));

const git = spawnSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
if (git.status !== 0) throw new Error('git ls-files failed: the source zip is made from a git checkout');
const tracked = git.stdout
  .split('\0')
  .filter(Boolean)
  .filter((f) => !/^(node_modules|dist)\//.test(f))
  .filter((f) => statSync(join(root, f), { throwIfNoEntry: false })?.isFile())
  .sort();
zipFiles(join(out, `warden-source-${version}.zip`), root, tracked);
const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).stdout.trim();
if (dirty) console.warn('   note: tracked files have uncommitted changes; the source zip holds the working tree as it is');

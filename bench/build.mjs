// What the bench loads: its own build of the extension and the bench pages.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build as viteBuild } from 'vite';
import { log } from './report.mjs';

export const ROOT = resolve(import.meta.dirname, '..');
export const PAGES_DIR = join(ROOT, 'dist', 'bench', 'pages');

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/**
 * The extension the bench loads: its own build in dist/bench/extension (dist/chrome is left to
 * the e2e tests), rebuilt only when a source is newer than the last build; BENCH_EXT_DIR names an
 * existing build instead. Returns its folder.
 */
export function buildExtension() {
  if (process.env.BENCH_EXT_DIR) {
    const dir = resolve(ROOT, process.env.BENCH_EXT_DIR);
    log(`extension: using ${dir} as built (BENCH_EXT_DIR)`);
    return dir;
  }
  const dir = join(ROOT, 'dist', 'bench', 'extension');
  const stamp = join(dir, '.bench-build-stamp');
  const sources = Math.max(...['src', 'public', 'manifest.json', 'vite.config.ts', 'package.json', 'package-lock.json'].map((p) => newestMtime(join(ROOT, p))));
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources && existsSync(join(dir, 'manifest.json'))) {
    log('extension: dist/bench/extension is up to date');
    return dir;
  }
  log('extension: building (npx vite build --outDir dist/bench/extension)…');
  const started = Date.now();
  const r = spawnSync('npx', ['vite', 'build', '--outDir', 'dist/bench/extension', '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, TARGET: 'chrome' },
  });
  if (r.status !== 0) {
    const fallback = join(ROOT, 'dist', 'chrome');
    if (!existsSync(join(fallback, 'manifest.json'))) throw new Error('the extension build failed and there is no dist/chrome to fall back on');
    log(`extension: BUILD FAILED (status ${r.status}); falling back on the existing ${fallback}`);
    return fallback;
  }
  writeFileSync(stamp, new Date().toISOString());
  log(`extension: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

/** The pages the bench serves (bench/vite.config.ts, no crx plugin) into PAGES_DIR. */
export async function buildPages() {
  const started = Date.now();
  await viteBuild({ configFile: join(ROOT, 'bench', 'vite.config.ts'), logLevel: 'warn' });
  log(`bench pages: built into dist/bench/pages in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// Before any test: (1) bundles the NDK test page script (e2e/pages/ndk-page.ts) into
// e2e/site/.build/ndk.js with vite's build API in library mode (no network, no extension plugin);
// (2) snapshots the built extension (dist/chrome) into a private folder, so that a rebuild of dist
// during the run (someone else running `vite build`) cannot break a browser launch mid-suite.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { build } from 'vite';

export const NDK_BUNDLE_DIR = resolve(import.meta.dirname, 'site', '.build');
const DIST = resolve(import.meta.dirname, '..', 'dist', 'chrome');

async function buildNdkPage(): Promise<void> {
  await build({
    configFile: false,
    logLevel: 'warn',
    root: import.meta.dirname,
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      outDir: NDK_BUNDLE_DIR,
      emptyOutDir: true,
      minify: false,
      target: 'es2022',
      sourcemap: false,
      // tseep (an NDK dependency) uses eval on purpose; that warning is noise here.
      rolldownOptions: {
        onLog(level, log, handler) {
          if (log.code === 'EVAL') return;
          handler(level, log);
        },
      },
      lib: {
        entry: resolve(import.meta.dirname, 'pages', 'ndk-page.ts'),
        formats: ['iife'],
        name: 'WardenNdkPage',
        fileName: () => 'ndk.js',
      },
    },
  });
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : [join(dir, d.name)]));
}

/** Every file the manifest, the scripts and the pages reference exists: the build is complete. */
function problems(root: string): string[] {
  const missing: string[] = [];
  const manifestPath = join(root, 'manifest.json');
  if (!existsSync(manifestPath)) return ['manifest.json'];
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    background?: { service_worker?: string };
    content_scripts?: { js?: string[] }[];
  };
  const wanted = [manifest.background?.service_worker, ...(manifest.content_scripts ?? []).flatMap((c) => c.js ?? [])];
  for (const f of wanted) if (!f || !existsSync(join(root, f))) missing.push(String(f));
  for (const file of files(root)) {
    if (!/\.(js|html)$/.test(file)) continue;
    const text = readFileSync(file, 'utf8');
    const refs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\bsrc=|\bhref=)["'](\.{0,2}\/[^"'?#]+)["']/g)].map((m) => m[1]!);
    for (const ref of refs) {
      const target = ref.startsWith('/') ? join(root, ref) : resolve(dirname(file), ref);
      if (!existsSync(target)) missing.push(`${file.slice(root.length)} → ${ref}`);
    }
  }
  return missing;
}

function newestMtime(dir: string): number {
  return Math.max(...files(dir).map((f) => statSync(f).mtimeMs));
}

async function snapshotExtension(): Promise<string> {
  const deadline = Date.now() + 30_000;
  let last: string[] = [];
  for (;;) {
    if (existsSync(DIST) && Date.now() - newestMtime(DIST) > 1_000) {
      const snap = mkdtempSync(join(tmpdir(), 'warden-e2e-ext-'));
      cpSync(DIST, snap, { recursive: true });
      last = problems(snap);
      if (last.length === 0) return snap;
      rmSync(snap, { recursive: true, force: true });
    }
    if (Date.now() > deadline) throw new Error(`dist/chrome is missing or incomplete (run \`npx vite build\`): ${last.join(', ')}`);
    await new Promise((ok) => setTimeout(ok, 300));
  }
}

export default async function globalSetup(): Promise<() => void> {
  const [snap] = await Promise.all([snapshotExtension(), buildNdkPage()]);
  // Workers inherit the environment set here: fixtures.ts loads the extension from the snapshot.
  process.env.WARDEN_EXTENSION_DIR = snap;
  return () => rmSync(snap, { recursive: true, force: true });
}

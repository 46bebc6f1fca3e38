import { defineConfig } from 'vite';
import { crx } from '@crxjs/vite-plugin';
import { resolve } from 'node:path';
import { buildManifest, targetFromEnv } from './manifest.config.ts';
import pkg from './package.json' with { type: 'json' };

// One source for both browsers: TARGET=firefox builds dist/firefox, anything else dist/chrome.
// What differs lives in manifest.config.ts (the manifest) and src/platform.ts (run time).
const target = targetFromEnv();

export default defineConfig({
  define: { __WARDEN_BROWSER__: JSON.stringify(target) },
  build: {
    outDir: `dist/${target}`,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    rollupOptions: {
      input: {
        prompt: resolve(import.meta.dirname, 'src/ui/prompt/index.html'),
      },
    },
  },
  plugins: [
    crx({
      manifest: buildManifest(target, pkg.version),
      browser: target,
      contentScripts: { standaloneFiles: ['src/content/provider.ts', 'src/content/bridge.ts'] },
    }),
  ],
});

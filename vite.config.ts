import { defineConfig } from 'vite';
import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import { resolve } from 'node:path';
import manifestSource from './manifest.json' with { type: 'json' };
import pkg from './package.json' with { type: 'json' };

// One manifest source; the target browser only changes what must differ.
const target = process.env.TARGET === 'firefox' ? 'firefox' : 'chrome';

const manifest = { ...manifestSource, version: pkg.version } as ManifestV3Export;

export default defineConfig({
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
      manifest,
      browser: target,
      contentScripts: { standaloneFiles: ['src/content/provider.ts', 'src/content/bridge.ts'] },
    }),
  ],
});

// Builds the bench pages (plain web pages, not extension pages) into dist/bench/pages. No crx
// plugin: the pages bundle nostr-tools and the extension's own src/db + src/policy + guard code.
import { defineConfig } from 'vite';
import { resolve } from 'node:path';

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: './',
  logLevel: 'warn',
  publicDir: false,
  build: {
    outDir: resolve(here, '..', 'dist', 'bench', 'pages'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    rollupOptions: {
      input: {
        roundtrip: resolve(here, 'roundtrip.html'),
        caplog: resolve(here, 'caplog.html'),
        peers: resolve(here, 'peers.html'),
        verifylog: resolve(here, 'verifylog.html'),
      },
    },
  },
});

// Loads the TypeScript test helpers that Node scripts (screenshots, bench) need for remote
// signing — a relay and a NIP-46 client (scripts/remote-helpers.ts) — by bundling them with
// rolldown (which vite brings) into node_modules/.cache, where the packages they import resolve.
import { join, resolve } from 'node:path';
import { build } from 'rolldown';

export async function loadRemoteHelpers() {
  const root = resolve(import.meta.dirname, '..');
  const out = join(root, 'node_modules', '.cache', 'warden-remote-helpers.mjs');
  await build({
    input: join(root, 'scripts', 'remote-helpers.ts'),
    platform: 'node',
    external: (id) => !id.startsWith('.') && !id.startsWith('/'),
    output: { file: out, format: 'esm' },
    logLevel: 'silent',
  });
  return import(`${out}?t=${Date.now()}`);
}

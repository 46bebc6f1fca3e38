// The one place where the manifest differs between browsers. manifest.json is the source (written
// for Chromium); this derives each target's manifest from it. vite.config.ts and the packaging
// script import it; nothing else knows about per-browser manifest keys.
import type { ManifestV3Export } from '@crxjs/vite-plugin';
import source from './manifest.json' with { type: 'json' };
import { COMMANDS } from './src/shared/commands.ts';

export type Target = 'chrome' | 'firefox';

/** TARGET=firefox selects the Firefox build; anything else (or nothing) is Chromium. */
export function targetFromEnv(value = process.env.TARGET): Target {
  return value === 'firefox' ? 'firefox' : 'chrome';
}

/** The add-on id Firefox and addons.mozilla.org know Warden by. Never change it once published. */
export const GECKO_ID = 'warden-signer@warden.extension';

/**
 * The lowest Firefox with everything we use: MV3 (109), storage.session (115), background
 * `type: module` (112) and, the newest, `world: "MAIN"` content scripts (128, also an ESR).
 */
export const GECKO_MIN_VERSION = '128.0';

type Manifest = typeof source & Record<string, unknown>;

export function buildManifest(target: Target, version: string): ManifestV3Export {
  const base: Manifest = { ...structuredClone(source), version };
  // Both browsers: the shortcut that turns the kill switch on (docs/ARCHITECTURE.md, Kill switch).
  base.commands = COMMANDS;
  if (target === 'chrome') return base as ManifestV3Export;

  // Firefox: an event page (background.scripts) instead of a service worker, a gecko id, and the
  // data-collection declaration AMO asks every new add-on for. No Chromium-only keys: Firefox
  // does not know externally_connectable (web-ext lint warns) and lets no web page or other
  // add-on message us anyway (docs/THREATS.md #42).
  const { minimum_chrome_version: _chromeOnly, externally_connectable: _chromeOnlyToo, background, ...rest } = base;
  return {
    ...rest,
    background: { scripts: [background.service_worker], type: background.type },
    browser_specific_settings: {
      gecko: {
        id: GECKO_ID,
        strict_min_version: GECKO_MIN_VERSION,
        data_collection_permissions: { required: ['none'] },
      },
    },
  } as unknown as ManifestV3Export;
}

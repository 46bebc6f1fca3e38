// Where the browsers are, and what to say when one is missing.
import { existsSync } from 'node:fs';

export const CHROMIUM_FLAGS = [
  '--no-first-run',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Chromium refuses to start as root with its sandbox on.
  ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
];

export function findChromium() {
  const candidates = [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
  return candidates.find((p) => existsSync(p));
}

export const CHROMIUM_HELP = `Chromium was not found (looked at $CHROME_PATH, /usr/bin/chromium, /usr/bin/chromium-browser).
Install it with:   sudo apt-get update && sudo apt-get install -y chromium
or point CHROME_PATH at a Chromium or Chrome binary:   CHROME_PATH=/path/to/chrome npm test`;

export function findFirefox() {
  const candidates = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'].filter(Boolean);
  return candidates.find((p) => existsSync(p));
}

export const FIREFOX_HELP = `Firefox was not found (looked at $FIREFOX_PATH, /usr/bin/firefox-esr, /usr/bin/firefox).
Install Debian's Firefox ESR with:   sudo apt-get update && sudo apt-get install -y firefox-esr
or point FIREFOX_PATH at a Firefox (128 or newer) binary:   FIREFOX_PATH=/path/to/firefox npm test`;

// `npm test`: typecheck, unit tests, build, e2e in real Chromium, then the Firefox build, its
// `web-ext lint` and e2e in real Firefox ESR. Ends with one line `tests: N passed, M failed` (also
// written to test-results/summary.txt for CI).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CHROMIUM_HELP, FIREFOX_HELP, findChromium, findFirefox } from './browsers.mjs';

const root = resolve(import.meta.dirname, '..');
const out = join(root, 'test-results');
mkdirSync(out, { recursive: true });
let passed = 0;
let failed = 0;

function finish() {
  const line = `tests: ${passed} passed, ${failed} failed`;
  writeFileSync(join(out, 'summary.txt'), `${line}\n`);
  console.log(`\n${line}`);
  process.exit(failed > 0 ? 1 : 0);
}

function step(name, cmd, args, env = {}) {
  console.log(`\n== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

const chromePath = findChromium();
if (!chromePath) {
  console.error(CHROMIUM_HELP);
  failed += 1;
  finish();
}

// The typecheck is a gate, not a test: it adds a failure when it fails and nothing when it passes.
if (!step('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'])) failed += 1;
if (!step('typecheck (e2e-firefox)', 'npx', ['tsc', '--noEmit', '-p', 'e2e-firefox/tsconfig.json'])) failed += 1;

const unitJson = join(out, 'unit.json');
const unitOk = step('unit tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${unitJson}`]);
const unit = readJson(unitJson);
if (unit) {
  passed += unit.numPassedTests ?? 0;
  failed += (unit.numFailedTests ?? 0) + (unitOk || unit.numFailedTests ? 0 : 1);
} else if (!unitOk) failed += 1;

if (!step('build', 'npx', ['vite', 'build', '--logLevel', 'warn'])) {
  failed += 1;
  finish();
}

const e2eJson = join(out, 'e2e.json');
const e2eOk = step('e2e (Chromium)', 'npx', ['playwright', 'test', '--reporter=list,json'], {
  CHROME_PATH: chromePath,
  PLAYWRIGHT_JSON_OUTPUT_NAME: e2eJson,
});
const e2e = readJson(e2eJson);
if (e2e?.stats) {
  passed += e2e.stats.expected ?? 0;
  failed += (e2e.stats.unexpected ?? 0) + (e2e.stats.flaky ?? 0) + (e2eOk || e2e.stats.unexpected ? 0 : 1);
} else if (!e2eOk) failed += 1;

// Firefox: the same source built for Firefox, linted as addons.mozilla.org lints it, and run in
// real Firefox ESR. Lint, like the typecheck, is a gate: a failure when it fails, nothing otherwise.
const firefoxPath = findFirefox();
if (!step('build (Firefox)', 'npx', ['vite', 'build', '--logLevel', 'warn'], { TARGET: 'firefox' })) {
  failed += 1;
} else {
  if (!step('web-ext lint (Firefox)', 'node', ['scripts/lint-firefox.mjs'])) failed += 1;
  if (!firefoxPath) {
    console.error(`\n${FIREFOX_HELP}`);
    failed += 1;
  } else {
    const ffJson = join(out, 'e2e-firefox.json');
    rmSync(ffJson, { force: true });
    const ffOk = step('e2e (Firefox)', 'npx', ['vitest', 'run', '-c', 'vitest.firefox.config.ts', '--reporter=default', '--reporter=json', `--outputFile=${ffJson}`], {
      FIREFOX_PATH: firefoxPath,
    });
    const ff = readJson(ffJson);
    if (ff) {
      passed += ff.numPassedTests ?? 0;
      failed += (ff.numFailedTests ?? 0) + (ffOk || ff.numFailedTests ? 0 : 1);
    } else if (!ffOk) failed += 1;
  }
}

finish();

// Phases 3 and 4, the extension's pages: bench/popup.mjs and bench/prompt.mjs run in the bench's
// browser, each on origins of its own.
import { serveStatic } from '../scripts/serve-demo.mjs';
import { PAGES_DIR } from './build.mjs';
import { extensionAdmin } from './launch.mjs';
import { benchPopup, popupSummary } from './popup.mjs';
import { benchPrompt, promptSummary } from './prompt.mjs';
import { log } from './report.mjs';

/** Phase 3: popup open time and get_site_view at 1k and 100k log entries; sets results.popup. */
export async function benchPopupPhase(context, results) {
  log('— phase 3: popup open time (bench/popup.mjs) —');
  const { id, adminPage, admin } = await extensionAdmin(context);
  // Origins of their own: each scope is filled before its first request.
  const servers = await Promise.all([0, 1].map(() => serveStatic([PAGES_DIR])));
  try {
    const r = await benchPopup({ context, id, admin, log, sites: servers.map((s) => s.url) });
    results.popup = popupSummary(r);
  } finally {
    await adminPage.close();
    for (const s of servers) s.server.close();
  }
}

/** Phase 4: request → prompt clickable and click → settled; sets results.prompt. */
export async function benchPromptPhase(context, results) {
  log('— phase 4: prompt shown → clickable, click → settled (bench/prompt.mjs) —');
  const { adminPage, admin } = await extensionAdmin(context);
  // A site of its own, with no grant: every signEvent asks.
  const server = await serveStatic([PAGES_DIR]);
  try {
    results.prompt = promptSummary(await benchPrompt({ context, admin, log, site: `${server.url}/roundtrip.html` }));
  } finally {
    await adminPage.close();
    server.server.close();
  }
}

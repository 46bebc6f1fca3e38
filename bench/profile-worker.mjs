// A CPU profile of Warden's service worker while it serves one workload of the peers phase (the
// same grant, log and bench page as bench/peer-signers.mjs): where the worker's time goes, by
// function and by file, self time. Run alone: `node bench/profile-worker.mjs [c50|seq|inbox|inboxSeq] [rounds]`
// (c50: batches of 50 concurrent signEvent; seq: sequential signEvent; inbox: 200 gift wraps all at
// once; inboxSeq: the same one at a time).
// It loads the bench's own build (`npm run bench` makes it; BENCH_EXT_DIR for another).
import { bytesToHex } from '@noble/hashes/utils.js';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { serveStatic } from '../scripts/serve-demo.mjs';
import { buildExtension, buildPages, PAGES_DIR } from './build.mjs';
import { makeInbox } from './inbox.mjs';
import { setupWarden } from './peer-signers.mjs';
import { concurrentSign, inboxLoad, sequentialSign, warm } from './peer-workloads.mjs';

const [workload = 'c50', roundsArg = '5'] = process.argv.slice(2);
const rounds = Number(roundsArg);
const WORKLOADS = ['c50', 'seq', 'inbox', 'inboxSeq'];
if (!WORKLOADS.includes(workload) || !(rounds >= 1)) {
  console.error(`usage: node bench/profile-worker.mjs [${WORKLOADS.join('|')}] [rounds ≥ 1]`);
  process.exit(2);
}

const extDir = process.env.BENCH_EXT_DIR ?? buildExtension();
await buildPages();
const site = await serveStatic([PAGES_DIR]);
const secretKey = generateSecretKey();
const key = { secret: bytesToHex(secretKey), pubkey: getPublicKey(secretKey), logSize: 1_000 };
const signer = await setupWarden(extDir, site, key);
try {
  await warm(signer.page);
  const worker = signer.context.serviceWorkers().at(-1);
  const cdp = await signer.context.newCDPSession(signer.page);
  // The worker is a target of its own: attach to it through the page's session (not flattened: Playwright's session sends no child session ids).
  const { targetInfos } = await cdp.send('Target.getTargets');
  const sw = targetInfos.find((t) => t.type === 'service_worker' && t.url === worker.url());
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: sw.targetId, flatten: false });
  let nextId = 1;
  const pending = new Map();
  cdp.on('Target.receivedMessageFromTarget', ({ message }) => {
    const m = JSON.parse(message);
    pending.get(m.id)?.(m);
  });
  const send = (method, params = {}) =>
    new Promise((ok, no) => {
      const id = nextId++;
      pending.set(id, (m) => (m.error ? no(new Error(m.error.message)) : ok(m.result)));
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
    });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 100 });
  const started = performance.now();
  await send('Profiler.start');
  for (let r = 0; r < rounds; r++) {
    if (workload === 'c50') await concurrentSign(signer.page, key.pubkey, 50, 4);
    else if (workload === 'seq') await sequentialSign(signer.page, key.pubkey, { samples: 10 });
    else await inboxLoad(signer.page, makeInbox(key.pubkey, { tag: `p${r}` }), workload === 'inbox' ? 200 : 1);
  }
  const { profile } = await send('Profiler.stop');
  const wall = performance.now() - started;
  if (process.env.PROFILE_OUT) (await import('node:fs')).writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile));
  summarise(profile, wall);
} finally {
  await signer.close();
  site.server.close();
}

function summarise(profile, wallMs) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0) / 1000));
  const fn = new Map();
  const file = new Map();
  let total = 0;
  for (const [id, ms] of self) {
    const { callFrame: c } = byId.get(id);
    total += ms;
    const where = c.url ? c.url.replace(/^chrome-extension:\/\/[a-z]+\//, '') : `(${c.functionName || 'native'})`;
    const name = `${c.functionName || '(anonymous)'} ${where}:${c.lineNumber + 1}`;
    fn.set(name, (fn.get(name) ?? 0) + ms);
    file.set(where, (file.get(where) ?? 0) + ms);
  }
  const idle = [...fn].filter(([n]) => n.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
  console.log(`workload ${workload} × ${rounds}: wall ${wallMs.toFixed(0)} ms, sampled ${total.toFixed(0)} ms, idle ${idle.toFixed(0)} ms, busy ${(total - idle).toFixed(0)} ms`);
  const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  console.log('— by file (self ms) —');
  for (const [k, v] of top(file, 15)) console.log(`${v.toFixed(1).padStart(8)}  ${k}`);
  console.log('— by function (self ms) —');
  for (const [k, v] of top(fn, 40)) console.log(`${v.toFixed(1).padStart(8)}  ${k}`);
}

// verify_log and export_signing_log through the real router, and the stand-alone verifier
// (scripts/verify-log.mjs, plain Node) run on files built from the export.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryHash } from '../../../db/chainHash.ts';
import { pruneLogs } from '../../../db/retention.ts';
import type { ChainedLogRow, ExportPage } from '../../../shared/adminResults.ts';
import { code, OTHER, SITE, snap, T0, withAccount, type AccountHarness } from '../../../test/background.ts';

const SCRIPT = resolve(import.meta.dirname, '../../../../scripts/verify-log.mjs');
const dir = mkdtempSync(join(tmpdir(), 'warden-verify-'));
const DAY = 86_400_000;

async function signedLog(n: number): Promise<AccountHarness> {
  const h = await withAccount();
  await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event' }, { method: 'nip44_encrypt' }] });
  await h.ok('grant', { origin: OTHER, rules: [{ method: 'sign_event' }] });
  for (let i = 0; i < n; i++) {
    h.clock.t += 1_000;
    expect(code(await h.sign(i % 2 ? OTHER : SITE, { kind: i % 3 ? 1 : 7 }))).toBe('ok');
  }
  return h;
}

/** What the options page writes: the header line, then the entries newest first (LogsTab.tsx exportLog). */
async function exportFile(h: AccountHarness, filter: { origin?: string } = {}, pageSize = 4): Promise<{ header: Record<string, unknown>; entries: ChainedLogRow[] }> {
  const entries: ChainedLogRow[] = [];
  let head: string | null = null;
  let checkpoints: unknown[] = [];
  let before: number | undefined;
  for (;;) {
    const page: ExportPage = await h.ok('export_signing_log', { limit: pageSize, ...filter, ...(before === undefined ? {} : { before }) });
    if (page.head !== undefined) head = page.head;
    if (page.checkpoints) checkpoints = page.checkpoints;
    entries.push(...page.entries);
    if (page.next === undefined) break;
    before = page.next;
  }
  return { header: { warden: 'signing-log', format: 1, chain: 'warden-log/1', exportedAt: T0, filter: Object.keys(filter).length ? filter : null, head, checkpoints }, entries };
}

function runVerifier(lines: unknown[]): { status: number | null; out: string } {
  const file = join(dir, `${crypto.randomUUID()}.jsonl`);
  writeFileSync(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  const r = spawnSync(process.execPath, [SCRIPT, file], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('verify_log', () => {
  it('after signing: intact, with the number of entries and when it was checked', async () => {
    const h = await signedLog(7);
    expect(await h.ok('verify_log')).toEqual({ entries: 7, intact: true, checkedAt: h.clock.t });
  });

  it('an entry deleted behind its back is reported at its id, and checking changes nothing', async () => {
    const h = await signedLog(7);
    const ids = (await h.ctx.db.signingLog.orderBy('id').primaryKeys()) as number[];
    await h.ctx.db.signingLog.delete(ids[3]!);
    const before = await snap(h);
    expect(await h.ok('verify_log')).toMatchObject({ intact: false, firstBrokenId: ids[3] });
    expect(await snap(h)).toEqual(before);
  });

  it('bad params: invalid_request', async () => {
    const h = await withAccount();
    for (const [method, params] of [
      ['verify_log', { chunk: 5 }],
      ['export_signing_log', {}],
      ['export_signing_log', { limit: 0 }],
      ['export_signing_log', { limit: 10, before: 'x' }],
      ['export_signing_log', { limit: 10, origin: 'not an origin' }],
    ] as const) {
      const r = await h.admin(method, params);
      expect(code(r), `${method} ${JSON.stringify(params)}`).toBe('invalid_request');
    }
  });
});

describe('export_signing_log', () => {
  it('pages newest first with every hashed field; the head comes with the first page, the checkpoints with the last', async () => {
    const h = await signedLog(6);
    const first: ExportPage = await h.ok('export_signing_log', { limit: 4 });
    expect(first.entries.map((e) => e.id)).toEqual([6, 5, 4, 3]);
    expect(first.head).toBe(first.entries[0]!.hash);
    expect(first.checkpoints).toBeUndefined();
    const last: ExportPage = await h.ok('export_signing_log', { limit: 4, before: first.next });
    expect(last.entries.map((e) => e.id)).toEqual([2, 1]);
    expect(last.head).toBeUndefined();
    expect(last.checkpoints).toEqual([]);
    for (const e of [...first.entries, ...last.entries]) expect(e.hash).toBe(entryHash(e.prevHash!, e));
    expect(first.entries[0]).toMatchObject({ origin: OTHER, accountId: h.account.accountId, method: 'sign_event', grantId: expect.any(Number), seqMethod: 3, requestId: expect.any(String) });
  });
});

describe('scripts/verify-log.mjs on an exported file (plain Node)', () => {
  it('intact → exit 0; one altered line → exit 1 naming that entry', async () => {
    const h = await signedLog(9);
    const { header, entries } = await exportFile(h);
    const ok = runVerifier([header, ...entries]);
    expect(ok.out).toMatch(/intact: 9 entries/);
    expect(ok.status).toBe(0);

    const altered = entries.map((e) => (e.id === 4 ? { ...e, kind: 3 } : e));
    const bad = runVerifier([header, ...altered]);
    expect(bad.status).toBe(1);
    expect(bad.out).toMatch(/entry #4: altered, removed or reordered/);
  });

  it('an encrypt entry carries its peer in the hash: the export verifies, and a changed or removed peer is found', async () => {
    const h = await signedLog(3);
    const peer = 'ab'.repeat(32);
    h.clock.t += 1_000;
    expect(code(await h.nip07(SITE, 'nip44_encrypt', { pubkey: peer, plaintext: 'hi' }))).toBe('ok');
    const { header, entries } = await exportFile(h);
    const withPeer = entries.find((e) => e.method === 'nip44_encrypt')!;
    expect(withPeer.peer).toBe(peer);
    expect(runVerifier([header, ...entries]).out).toMatch(/intact: 4 entries/);
    for (const other of ['cd'.repeat(32), null]) {
      const r = runVerifier([header, ...entries.map((e) => (e.id === withPeer.id ? { ...e, peer: other } : e))]);
      expect(r.status).toBe(1);
      expect(r.out).toMatch(new RegExp(`entry #${withPeer.id}:`));
    }
    // The same change behind the extension's back, found by verify_log.
    await h.ctx.db.signingLog.update(withPeer.id, { peer: 'cd'.repeat(32) });
    expect(await h.ok('verify_log')).toMatchObject({ intact: false, firstBrokenId: withPeer.id });
  });

  it.each([
    ['a line removed from the middle', 5, (e: ChainedLogRow[]) => e.filter((x) => x.id !== 5)],
    ['the newest line removed', 9, (e: ChainedLogRow[]) => e.filter((x) => x.id !== 9)],
    ['the oldest line removed', 1, (e: ChainedLogRow[]) => e.filter((x) => x.id !== 1)],
    ['two entries swapped', 6, (e: ChainedLogRow[]) => e.map((x) => (x.id === 6 ? { ...e.find((y) => y.id === 7)!, id: 6 } : x.id === 7 ? { ...e.find((y) => y.id === 6)!, id: 7 } : x))],
    ['a line given twice', 3, (e: ChainedLogRow[]) => [...e, e.find((x) => x.id === 3)!]],
  ] as const)('%s → exit 1 at #%s', async (_name, id, change) => {
    const h = await signedLog(9);
    const { header, entries } = await exportFile(h);
    const r = runVerifier([header, ...change(entries)]);
    expect(r.out).toMatch(new RegExp(`entry #${id}:`));
    expect(r.status).toBe(1);
  });

  it('a head that trails the newest entries (it is written behind them) verifies; losing the head entry and what follows does not', async () => {
    const h = await signedLog(8);
    const { header, entries } = await exportFile(h);
    const trailing = { ...header, head: entries.find((e) => e.id === 6)!.hash };
    expect(runVerifier([trailing, ...entries]).out).toMatch(/intact: 8 entries/);
    const cut = runVerifier([trailing, ...entries.filter((e) => e.id < 6)]);
    expect(cut.status).toBe(1);
    expect(cut.out).toMatch(/entry #6:/);
    // A head that is on no entry of the chain at all.
    expect(runVerifier([{ ...header, head: 'ab'.repeat(32) }, ...entries]).status).toBe(1);
  });

  it('a pruned log exports with its checkpoints and verifies; the lines in any order', async () => {
    const h = await signedLog(10);
    h.clock.t += 10 * DAY;
    await h.ok('grant', { origin: SITE, rules: [{ method: 'sign_event' }] });
    for (let i = 0; i < 3; i++) expect(code(await h.sign(SITE))).toBe('ok');
    const pruned = await pruneLogs(h.ctx.db, h.ctx.clock, { activityDays: null, signingLogDays: 5 });
    expect(pruned.signingLogDeleted).toBe(10);
    const { header, entries } = await exportFile(h, {}, 2);
    expect(header.checkpoints).toHaveLength(1);
    expect(entries).toHaveLength(3);
    expect(await h.ok('verify_log')).toMatchObject({ entries: 3, intact: true });
    const r = runVerifier([header, ...entries.reverse()]);
    expect(r.out).toMatch(/intact: 3 entries/);
    expect(r.status).toBe(0);
    // Without its checkpoints the same file does not verify: the oldest kept entry links to nothing.
    expect(runVerifier([{ ...header, checkpoints: [] }, ...entries]).status).toBe(1);
  });

  it('a filtered export: each entry checked against its hash, the links not (said so), exit 0; an altered one still exit 1', async () => {
    const h = await signedLog(6);
    const { header, entries } = await exportFile(h, { origin: SITE });
    expect(entries.every((e) => e.origin === SITE)).toBe(true);
    const r = runVerifier([header, ...entries]);
    expect(r.out).toMatch(/each of 3 entries matches its hash; the links between them were not checked/);
    expect(r.status).toBe(0);
    expect(runVerifier([header, ...entries.map((e, i) => (i === 1 ? { ...e, createdAt: e.createdAt + 1 } : e))]).status).toBe(1);
  });

  it.each([
    ['no header line', (entries: ChainedLogRow[]) => entries],
    ['a line that is not JSON', (entries: ChainedLogRow[]) => [{ warden: 'signing-log', format: 1, chain: 'warden-log/1', filter: null, head: null, checkpoints: [] }, ...entries, 'not json{']],
    ['another chain form', (entries: ChainedLogRow[]) => [{ warden: 'signing-log', format: 1, chain: 'warden-log/9', filter: null, head: null, checkpoints: [] }, ...entries]],
    ['an entry without an id', (entries: ChainedLogRow[]) => [{ warden: 'signing-log', format: 1, chain: 'warden-log/1', filter: null, head: null, checkpoints: [] }, { origin: SITE }, ...entries]],
  ] as const)('a file it cannot read (%s) → exit 2 with a reason', async (_name, build) => {
    const h = await signedLog(2);
    const { entries } = await exportFile(h);
    const lines = build(entries).map((l) => (typeof l === 'string' ? l : JSON.stringify(l)));
    const file = join(dir, `${crypto.randomUUID()}.jsonl`);
    writeFileSync(file, lines.join('\n'));
    const r = spawnSync(process.execPath, [SCRIPT, file], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot check/);
  });

  it('a missing file or no argument → exit 2', () => {
    expect(spawnSync(process.execPath, [SCRIPT, join(dir, 'nope.jsonl')], { encoding: 'utf8' }).status).toBe(2);
    const none = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/usage/);
  });
});

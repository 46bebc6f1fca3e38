// The signing log as the JSON Lines export writes it: every field an entry's hash covers, the
// chain fields, and (once per export) the head and the checkpoints, so that a file verifies on
// its own (scripts/verify-log.mjs; docs/ARCHITECTURE.md, Signing-log hash chain).
import type { SigningLogEntry } from '../policy/records.ts';
import type { ChainedLogRow, ExportPage } from '../shared/adminResults.ts';
import type { WardenDb } from './schema.ts';
import type { Checkpoint } from './chainHash.ts';
import { flushHead, loadCheckpoints, readHead } from './logChain.ts';
import { pageLog, type LogPageQuery } from './signingLog.ts';

interface ChainState {
  head: string | null;
  checkpoints: Checkpoint[];
}

/** The head and the checkpoints, for an export: read them in the same transaction as the entries. */
async function chainState(db: WardenDb): Promise<ChainState> {
  const [head, cps] = await Promise.all([readHead(db), loadCheckpoints(db)]);
  return { head, checkpoints: cps.map(({ key: _key, ...cp }) => cp).sort((a, b) => a.fromId - b.fromId) };
}

export function chainedRow(e: SigningLogEntry): ChainedLogRow {
  return {
    id: e.id,
    origin: e.origin,
    accountId: e.accountId,
    method: e.method,
    kind: e.kind ?? null,
    createdAt: e.createdAt,
    grantId: e.grantId ?? null,
    eventId: e.eventId ?? null,
    requestId: e.requestId ?? null,
    seqMethod: e.seqMethod ?? null,
    seqKind: e.seqKind ?? null,
    peer: e.peer ?? null,
    prevHash: e.prevHash ?? null,
    hash: e.hash ?? null,
  };
}

/**
 * One page, newest first as get_signing_log pages. The head is read with the first page, so it is
 * the head of the newest entry exported; the checkpoints with the last, so every run retention
 * removed while the pages were read is in the file (a checkpoint for entries the file still holds
 * does no harm).
 */
export async function exportPage(db: WardenDb, q: LogPageQuery): Promise<ExportPage> {
  // The head row is written behind the appends: bring it up to the newest committed entry first.
  if (q.before === undefined) await flushHead(db);
  return db.transaction('r', [db.signingLog, db.logChain], async () => {
    const page = await pageLog(db, q);
    const first = q.before === undefined;
    const last = page.next === undefined;
    const state = first || last ? await chainState(db) : null;
    return {
      entries: page.entries.map(chainedRow),
      ...(last ? {} : { next: page.next }),
      ...(first ? { head: state!.head } : {}),
      ...(last ? { checkpoints: state!.checkpoints } : {}),
    };
  });
}

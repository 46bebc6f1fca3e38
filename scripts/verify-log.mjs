#!/usr/bin/env node
// Checks a signing log exported from Warden's options page (JSON Lines) on its own: plain Node,
// no build, no dependency beyond node:crypto. `npm run verify-log -- FILE` or
// `node scripts/verify-log.mjs FILE`.
//
// The rules are the ones in docs/ARCHITECTURE.md (Signing-log hash chain), repeated here on
// purpose so that this file can be read and run without the rest of the repository:
//   hash = hex(SHA-256(UTF-8(JSON.stringify([
//     'warden-log/1', prevHash, origin, accountId, method, kind, createdAt,
//     grantId, eventId, requestId, seqMethod, seqKind ]))))      (an absent field is null)
// The first entry's prevHash is 64 zeros; each later entry's prevHash is the hash of the entry
// before it, or, across a run retention removed, the run's checkpoint stands in for it.
//
// Exit status: 0 intact, 1 broken (the entry's id is printed), 2 the file cannot be read as an export.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const TAG = 'warden-log/1';
const GENESIS = '0'.repeat(64);
const FIELDS = ['origin', 'accountId', 'method', 'kind', 'createdAt', 'grantId', 'eventId', 'requestId', 'seqMethod', 'seqKind'];
// Appended after the fixed fields only when an entry has them (docs/ARCHITECTURE.md).
const TRAILING = ['peer'];
const HEX64 = /^[0-9a-f]{64}$/;
const MAX_HOPS = 10_000;

export function entryHash(prevHash, entry) {
  const trailing = TRAILING.flatMap((f) => (entry[f] === undefined || entry[f] === null ? [] : [entry[f]]));
  const text = JSON.stringify([TAG, prevHash, ...FIELDS.map((f) => entry[f] ?? null), ...trailing]);
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

class Unusable extends Error {}

/** Parses the export: a header line, then one entry per line (in any order). */
export function parseExport(text) {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const parsed = lines.map((l, i) => {
    try {
      return JSON.parse(l);
    } catch {
      throw new Unusable(`line ${i + 1} is not JSON`);
    }
  });
  const [header, ...entries] = parsed;
  if (!header || header.warden !== 'signing-log' || header.format !== 1) throw new Unusable('the first line is not the header of a Warden signing-log export');
  if (header.chain !== TAG) throw new Unusable(`unknown chain form ${JSON.stringify(header.chain)} (this script knows ${TAG})`);
  for (const [i, e] of entries.entries()) {
    if (typeof e !== 'object' || e === null || !Number.isSafeInteger(e.id)) throw new Unusable(`line ${i + 2} is not a log entry with an id`);
  }
  return { header, entries: [...entries].sort((a, b) => a.id - b.id) };
}

/**
 * Returns { intact, entries, firstBrokenId?, partial? }. `partial` is set for a filtered export:
 * each entry is checked against its own hash, but the links between entries cannot be.
 */
export function verifyExport({ header, entries }) {
  const checkpoints = new Map((Array.isArray(header.checkpoints) ? header.checkpoints : []).map((cp) => [cp.lastHash, cp]));
  const head = typeof header.head === 'string' ? header.head : null;
  // The head is written behind the entries, so it may name an entry before the newest: meeting
  // it anywhere on the chain (an entry's hash, or a removed run passed over) is enough.
  let headSeen = false;
  const links = (from, target) => {
    let h = target;
    let metHead = false;
    for (let i = 0; i <= MAX_HOPS; i++) {
      if (h === from) {
        if (metHead) headSeen = true;
        return true;
      }
      const cp = checkpoints.get(h);
      if (!cp) return false;
      if (cp.lastHash === head) metHead = true;
      h = cp.prevHash;
    }
    return false;
  };
  // The first id after lastId that no checkpoint accounts for, if it comes before `id`.
  const missingOr = (lastId, id) => {
    let m = lastId + 1;
    for (let moved = true; moved && m < id; ) {
      moved = false;
      for (const cp of checkpoints.values()) {
        if (cp.fromId <= m && m <= cp.toId) {
          m = cp.toId + 1;
          moved = true;
        }
      }
    }
    return Math.min(m, id);
  };
  const partial = header.filter !== null && header.filter !== undefined;
  let expected = GENESIS;
  let lastId = 0;
  let checked = 0;
  const broken = (id) => ({ intact: false, entries: checked, firstBrokenId: id, partial });
  for (const e of entries) {
    if (e.id === lastId) return broken(e.id); // the same id twice
    const selfOk = typeof e.hash === 'string' && typeof e.prevHash === 'string' && HEX64.test(e.hash) && HEX64.test(e.prevHash) && entryHash(e.prevHash, e) === e.hash;
    if (!selfOk) return broken(e.id);
    if (!partial && !links(expected, e.prevHash)) return broken(missingOr(lastId, e.id));
    checked++;
    if (e.hash === head) headSeen = true;
    expected = e.hash;
    lastId = e.id;
  }
  if (!partial) {
    if (head === null ? checked > 0 : !headSeen && !links(expected, head)) return broken(head === null ? lastId + 1 : missingOr(lastId, Number.MAX_SAFE_INTEGER));
  }
  return { intact: true, entries: checked, partial };
}

function main(argv) {
  const file = argv[0];
  if (!file || argv.length > 1) {
    console.error('usage: node scripts/verify-log.mjs FILE   (a .jsonl file exported from the Signing log tab)');
    return 2;
  }
  let result;
  try {
    result = verifyExport(parseExport(readFileSync(file, 'utf8')));
  } catch (err) {
    if (!(err instanceof Unusable) && err?.code !== 'ENOENT' && err?.code !== 'EISDIR') throw err;
    console.error(`cannot check ${file}: ${err.message}`);
    return 2;
  }
  if (!result.intact) {
    console.log(`broken: entry #${result.firstBrokenId}: altered, removed or reordered (${result.entries} entries before it check out)`);
    return 1;
  }
  if (result.partial) {
    console.log(`each of ${result.entries} entries matches its hash; the links between them were not checked (a filtered export: export with no site or method filter to check the whole chain)`);
  } else {
    console.log(`intact: ${result.entries} entries`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));

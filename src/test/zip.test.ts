// The store zips (scripts/zip.mjs) must be reproducible: the same files give the same bytes,
// whenever and in whatever order they are handed over.
import { randomBytes } from 'node:crypto';
import { unzipSync } from 'fflate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { zipBytes } from '../../scripts/zip.mjs';

const enc = new TextEncoder();
const FILES: { name: string; data: Uint8Array }[] = [
  { name: 'src/ui/popup/index.html', data: enc.encode('<!doctype html><title>popup</title>'.repeat(40)) },
  { name: 'manifest.json', data: enc.encode(JSON.stringify({ manifest_version: 3, name: 'Warden' }, null, 2)) },
  { name: 'assets/icon.png', data: new Uint8Array(randomBytes(4096)) }, // incompressible
  { name: 'README.md', data: enc.encode('# Warden\n') },
  { name: 'assets/empty.txt', data: new Uint8Array(0) },
  { name: 'docs/ünïcode name.md', data: enc.encode('names are UTF-8\n') },
];

/** A fresh copy of every buffer, in another order: only the files' names and contents may matter. */
const shuffledCopy = (files: typeof FILES) => [...files].reverse().map((f) => ({ name: f.name, data: new Uint8Array(f.data) }));

interface CentralEntry {
  name: string;
  method: number;
  dosTime: number;
  dosDate: number;
  madeBy: number;
  mode: number;
}

/** Reads the central directory straight from the bytes (the unzip API does not expose timestamps or modes). */
function centralDirectory(zip: Uint8Array): CentralEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const end = zip.length - 22; // no archive comment is written
  expect(view.getUint32(end, true)).toBe(0x06054b50);
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const out: CentralEntry[] = [];
  for (let i = 0; i < count; i++) {
    expect(view.getUint32(at, true)).toBe(0x02014b50);
    const nameLen = view.getUint16(at + 28, true);
    const extraLen = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    out.push({
      name: new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLen)),
      method: view.getUint16(at + 10, true),
      dosTime: view.getUint16(at + 12, true),
      dosDate: view.getUint16(at + 14, true),
      madeBy: view.getUint8(at + 5),
      mode: view.getUint32(at + 38, true) >>> 16,
    });
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

describe('scripts/zip.mjs', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives the same bytes for the same files, at another time and in another order', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2031-03-04T05:06:07Z'));
    const first = zipBytes(FILES);
    vi.setSystemTime(new Date('2044-11-12T13:14:15Z'));
    const second = zipBytes(shuffledCopy(FILES));
    expect(second.length).toBe(first.length);
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  });

  it('lists the names sorted, each with the fixed timestamp 2000-01-01 00:00 and mode 0644', () => {
    const entries = centralDirectory(zipBytes(shuffledCopy(FILES)));
    const names = FILES.map((f) => f.name).sort();
    expect(entries.map((e) => e.name)).toEqual(names);
    for (const e of entries) {
      expect({ name: e.name, date: e.dosDate, time: e.dosTime }).toEqual({ name: e.name, date: ((2000 - 1980) << 9) | (1 << 5) | 1, time: 0 });
      expect(e.madeBy).toBe(3); // Unix, so the mode is read
      expect(e.mode).toBe(0o100644);
    }
    // The random "image" is stored, the text deflated.
    expect(entries.find((e) => e.name === 'assets/icon.png')?.method).toBe(0);
    expect(entries.find((e) => e.name === 'src/ui/popup/index.html')?.method).toBe(8);
  });

  it('unzips back to the same names and contents', () => {
    const back = unzipSync(zipBytes(FILES));
    expect(Object.keys(back).sort()).toEqual(FILES.map((f) => f.name).sort());
    for (const f of FILES) expect(Buffer.from(back[f.name]!).equals(Buffer.from(f.data)), f.name).toBe(true);
  });

  it('refuses a name given twice and a top-level name that an object would reorder', () => {
    expect(() => zipBytes([...FILES, { name: 'README.md', data: new Uint8Array(1) }])).toThrow(/twice/);
    expect(() => zipBytes([...FILES, { name: '10', data: new Uint8Array(1) }])).toThrow(/sorted place/);
  });
});

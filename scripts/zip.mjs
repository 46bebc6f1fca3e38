// The store zips (Chrome and source), written with fflate. What this module adds is
// reproducibility: entries in sorted order, one fixed timestamp and one file mode for all, so
// the same files always give the same bytes, whoever builds them and whenever.
import { writeFileSync } from 'node:fs';
import { deflateSync, zipSync } from 'fflate';

// fflate writes the DOS date/time fields from a Date's local-time parts, so the date is built
// from local-time parts too: 2000-01-01 00:00 in the archive whatever the builder's time zone.
export const ZIP_MTIME = new Date(2000, 0, 1, 0, 0, 0);
const LEVEL = 9;
// Unix, regular file rw-r--r-- (the mode sits in the upper half of the external attributes).
const ATTRS = { os: 3, attrs: 0o100644 * 0x10000 };

/** entries: [{ name: 'a/b.js', data: Uint8Array }] in any order; returns the archive's bytes. */
export function zipBytes(entries) {
  // No prototype, so a name such as "constructor" or "__proto__" is just a name.
  const files = Object.create(null);
  const names = entries.map((e) => e.name.replaceAll('\\', '/'));
  const sorted = entries.map((e, i) => ({ name: names[i], data: e.data })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const { name, data } of sorted) {
    // fflate takes the files as an object, and an object lists integer-like keys first, ahead of
    // insertion order: such a name would silently break the sorted order.
    if (/^(0|[1-9]\d*)$/.test(name)) throw new Error(`zip: a top-level file named "${name}" cannot keep its sorted place`);
    if (name in files) throw new Error(`zip: "${name}" is given twice`);
    // Incompressible files (images) are stored as they are rather than grown by deflate.
    const level = deflateSync(data, { level: LEVEL }).length >= data.length ? 0 : LEVEL;
    files[name] = [data, { level, mtime: ZIP_MTIME, ...ATTRS }];
  }
  return zipSync(files, { mtime: ZIP_MTIME, ...ATTRS });
}

/** Writes the archive of `entries` to `file` and returns its size in bytes. */
export function writeZip(file, entries) {
  const zip = zipBytes(entries);
  writeFileSync(file, zip);
  return zip.length;
}

// A small, dependency-free zip writer (deflate via node:zlib), enough for store uploads: regular
// files only, UTF-8 names, no zip64 (each file and the archive under 4 GiB). Entries are written
// in the order given with a fixed timestamp, so the same files always give the same bytes.
import * as zlib from 'node:zlib';
import { writeFileSync } from 'node:fs';

const DOS_DATE = ((2000 - 1980) << 9) | (1 << 5) | 1; // 2000-01-01: a fixed date keeps zips reproducible
const DOS_TIME = 0;

/** entries: [{ name: 'a/b.js', data: Buffer }]; writes the archive to `file` and returns its size. */
export function writeZip(file, entries) {
  if (typeof zlib.crc32 !== 'function') throw new Error('writing zips needs Node 20.15 or newer (zlib.crc32)');
  const chunks = [];
  const central = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBuf = Buffer.from(name.replaceAll('\\', '/'), 'utf8');
    const deflated = zlib.deflateRawSync(data, { level: 9 });
    const stored = deflated.length >= data.length; // incompressible (images): keep as is
    const body = stored ? data : deflated;
    const crc = zlib.crc32(data);
    const fields = (h, at) => {
      h.writeUInt16LE(20, at); // version needed: 2.0
      h.writeUInt16LE(0x0800, at + 2); // flags: names are UTF-8
      h.writeUInt16LE(stored ? 0 : 8, at + 4); // method: store / deflate
      h.writeUInt16LE(DOS_TIME, at + 6);
      h.writeUInt16LE(DOS_DATE, at + 8);
      h.writeUInt32LE(crc, at + 10);
      h.writeUInt32LE(body.length, at + 14);
      h.writeUInt32LE(data.length, at + 18);
      h.writeUInt16LE(nameBuf.length, at + 22);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    fields(local, 4);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0 (so the mode below is read)
    fields(dir, 6);
    dir.writeUInt32LE(0o100644 * 0x10000, 38); // external attributes: a regular file, rw-r--r--
    dir.writeUInt32LE(offset, 42);
    chunks.push(local, nameBuf, body);
    central.push(dir, nameBuf);
    offset += local.length + nameBuf.length + body.length;
  }
  const dirSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dirSize, 12);
  end.writeUInt32LE(offset, 16);
  const zip = Buffer.concat([...chunks, ...central, end]);
  writeFileSync(file, zip);
  return zip.length;
}

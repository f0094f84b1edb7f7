// Reading the entries of a ZIP archive (PyTorch's torch.save format is one): the central directory, ZIP64 sizes
// and offsets, stored entries directly and deflated ones through a decompressor the caller passes (Node's zlib
// in io/files.ts), so this file stays browser-safe.
import { CritError } from '../util/errors.js';

export interface ZipEntry { name: string; method: number; compressedSize: number; size: number; dataOffset: number }
export type Inflate = (raw: Uint8Array) => Uint8Array;

const EOCD = 0x06054b50, EOCD64 = 0x06064b50, EOCD64_LOCATOR = 0x07064b50, CENTRAL = 0x02014b50, LOCAL = 0x04034b50;

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** The archive's entries by name. `source` names the file in errors. */
export function zipEntries(bytes: Uint8Array, source: string): Map<string, ZipEntry> {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u64 = (o: number) => Number(v.getBigUint64(o, true));
  // The end-of-central-directory record sits in the last 22 + 65,535 (comment) bytes.
  let eocd = -1;
  for (let o = bytes.length - 22; o >= Math.max(0, bytes.length - 22 - 65535); o--) if (v.getUint32(o, true) === EOCD) { eocd = o; break; }
  if (eocd < 0) throw new CritError(`${source}: no ZIP end-of-central-directory record: truncated or not a ZIP archive`);
  let count = v.getUint16(eocd + 10, true), cdOffset = v.getUint32(eocd + 16, true);
  if ((count === 0xffff || cdOffset === 0xffffffff) && eocd >= 20 && v.getUint32(eocd - 20, true) === EOCD64_LOCATOR) {
    const rec = u64(eocd - 20 + 8);
    if (rec + 56 > bytes.length || v.getUint32(rec, true) !== EOCD64) throw new CritError(`${source}: corrupt ZIP64 end-of-central-directory record`);
    count = u64(rec + 32);
    cdOffset = u64(rec + 48);
  }
  const entries = new Map<string, ZipEntry>();
  let o = cdOffset;
  for (let i = 0; i < count; i++) {
    if (o + 46 > bytes.length || v.getUint32(o, true) !== CENTRAL) throw new CritError(`${source}: corrupt ZIP central directory (entry ${i} of ${count})`);
    const method = v.getUint16(o + 10, true);
    let compressedSize = v.getUint32(o + 20, true), size = v.getUint32(o + 24, true);
    const nameLen = v.getUint16(o + 28, true), extraLen = v.getUint16(o + 30, true), commentLen = v.getUint16(o + 32, true);
    let local = v.getUint32(o + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(o + 46, o + 46 + nameLen));
    // ZIP64: the fields that overflowed 32 bits follow, in this order, in the extra field 0x0001.
    for (let e = o + 46 + nameLen; e + 4 <= o + 46 + nameLen + extraLen;) {
      const id = v.getUint16(e, true), len = v.getUint16(e + 2, true);
      if (id === 1) {
        let p = e + 4;
        if (size === 0xffffffff) { size = u64(p); p += 8; }
        if (compressedSize === 0xffffffff) { compressedSize = u64(p); p += 8; }
        if (local === 0xffffffff) { local = u64(p); p += 8; }
      }
      e += 4 + len;
    }
    if (local + 30 > bytes.length || v.getUint32(local, true) !== LOCAL) throw new CritError(`${source}: entry '${name}' has no local header at ${local}: corrupt ZIP`);
    const dataOffset = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true);
    if (dataOffset + compressedSize > bytes.length) throw new CritError(`${source}: entry '${name}' runs past the end of the file: truncated ZIP`);
    entries.set(name, { name, method, compressedSize, size, dataOffset });
    o += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** An entry's bytes: stored (method 0) as a view, deflated (8) through `inflate`. */
export function zipRead(bytes: Uint8Array, e: ZipEntry, source: string, inflate?: Inflate): Uint8Array {
  const raw = bytes.subarray(e.dataOffset, e.dataOffset + e.compressedSize);
  if (e.method === 0) return raw;
  if (e.method === 8) {
    if (!inflate) throw new CritError(`${source}: entry '${e.name}' is deflated and no decompressor was given`);
    const out = inflate(raw);
    if (out.length !== e.size) throw new CritError(`${source}: entry '${e.name}' inflates to ${out.length} bytes, the directory says ${e.size}`);
    return out;
  }
  throw new CritError(`${source}: entry '${e.name}' uses ZIP compression method ${e.method} (only stored and deflate are read)`);
}

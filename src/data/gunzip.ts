// gzip decompression with the platform's DecompressionStream (Node >= 18 and browsers): no dependency.
import { CritError } from '../util/errors.js';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export async function gunzip(bytes: Uint8Array, source = 'gzip data'): Promise<Uint8Array> {
  if (!isGzip(bytes)) throw new CritError(`${source}: not gzip data (the first bytes are not 1f 8b)`);
  try {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    const msg = (e as Error).message;
    const truncated = /unexpected end|end of file|truncat/i.test(msg);
    throw new CritError(`${source}: ${truncated ? 'truncated' : 'corrupt'} gzip data (${msg})`);
  }
}

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { gzipSync, gunzipSync } from 'node:zlib';
import * as crit from '../../src/index.node.js';

async function expectRejects(fn: () => Promise<unknown> | unknown, re: RegExp): Promise<void> {
  try { await fn(); } catch (e) {
    assert.instance(e, crit.CritError, `expected a CritError, got ${e}`);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected an error matching ${re}`);
}

/** A small MNIST-like pair: n images of h x w bytes and n labels, deterministic. */
function pair(n: number, h = 4, w = 3): { images: crit.IdxArray; labels: crit.IdxArray } {
  const img = Uint8Array.from({ length: n * h * w }, (_, i) => (i * 37) % 256);
  const lab = Uint8Array.from({ length: n }, (_, i) => (i * 7) % 10);
  return { images: { type: 'u8', dims: [n, h, w], data: img }, labels: { type: 'u8', dims: [n], data: lab } };
}

test('IDX round trip for every value type', () => {
  const cases: crit.IdxArray[] = [
    { type: 'u8', dims: [2, 3], data: Uint8Array.from([0, 1, 2, 253, 254, 255]) },
    { type: 'i8', dims: [4], data: Int8Array.from([-128, -1, 0, 127]) },
    { type: 'i16', dims: [3], data: Int16Array.from([-32768, 1, 32767]) },
    { type: 'i32', dims: [1, 1, 2], data: Int32Array.from([-(2 ** 31), 2 ** 31 - 1]) },
    { type: 'f32', dims: [2], data: Float32Array.from([1.5, -3.25e-8]) },
    { type: 'f64', dims: [2], data: Float64Array.from([Math.PI, -1e300]) },
  ];
  for (const c of cases) {
    const b = crit.writeIdx(c);
    const r = crit.parseIdx(b);
    assert.is(r.type, c.type);
    assert.equal(r.dims, c.dims);
    assert.equal(Array.from(r.data), Array.from(c.data), c.type);
  }
  // Big-endian on disk: u32 dims and i16 values.
  const b = crit.writeIdx({ type: 'i16', dims: [1], data: Int16Array.from([0x0102]) });
  assert.equal(Array.from(b), [0, 0, 0x0b, 1, 0, 0, 0, 1, 1, 2]);
});

test('IDX errors: empty, wrong magic, unknown type, rank 0, truncated header or data, trailing bytes', async () => {
  const good = crit.writeIdx(pair(5).images);
  await expectRejects(() => crit.parseIdx(new Uint8Array(0), 'e.idx'), /e\.idx: 0 bytes is too short for an IDX file/);
  await expectRejects(() => crit.parseIdx(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), 'pic.png'), /pic\.png: wrong magic number 0x89504e47: not an IDX file/);
  await expectRejects(() => crit.parseIdx(gzipSync(good)), /wrong magic number 0x1f8b.*this is gzip data/);
  await expectRejects(() => crit.parseIdx(Uint8Array.from([0, 0, 0x0a, 1, 0, 0, 0, 0])), /unknown IDX value type 0x0a/);
  await expectRejects(() => crit.parseIdx(Uint8Array.from([0, 0, 8, 0])), /gives rank 0/);
  await expectRejects(() => crit.parseIdx(good.subarray(0, 10)), /the header needs 16 bytes for 3 dimensions, the file has 10: truncated/);
  await expectRejects(() => crit.parseIdx(good.subarray(0, good.length - 1), 'x'), /x: dimensions \[5, 4, 3\] of u8 need 60 data bytes, the file has 59: truncated/);
  const longer = new Uint8Array(good.length + 2); longer.set(good);
  await expectRejects(() => crit.parseIdx(longer), /2 bytes after the \[5, 4, 3\] u8 values/);
  // gzip: readIdx decompresses; truncated or damaged streams say so.
  const gz = gzipSync(good);
  assert.equal((await crit.readIdx(gz)).dims, [5, 4, 3]);
  await expectRejects(() => crit.readIdx(gz.subarray(0, gz.length - 10), 'a.gz'), /a\.gz: truncated gzip data/);
  const bad = Uint8Array.from(gz); bad[12] ^= 0xff; bad[13] ^= 0xa5; bad[14] ^= 0x5a;
  await expectRejects(() => crit.readIdx(bad, 'b.gz'), /b\.gz: (corrupt|truncated) gzip data/);
});

test('image/label pairs: counts must match, files must not be swapped, labels in range', async () => {
  const { images, labels } = pair(6);
  const ds = crit.datasetFromIdx(images, labels, { name: 'tiny' });
  assert.is(ds.length, 6);
  assert.equal(ds.sampleShape, [4, 3]);
  assert.is(ds.x[0], -1); // byte 0
  assert.is(ds.x[1], Math.fround(37 / 127.5 - 1));
  const p255 = crit.pixelsToUnitRange([0, 255, 127.5]);
  assert.equal(Array.from(p255), [-1, 1, 0]);
  await expectRejects(() => crit.datasetFromIdx(images, pair(5).labels, { imagesSource: 'i.gz', labelsSource: 'l.gz' }), /i\.gz holds 6 images but l\.gz holds 5 labels: the counts must match/);
  await expectRejects(() => crit.datasetFromIdx(labels, images), /looks like a labels file \(were images and labels swapped\?\)/);
  await expectRejects(() => crit.datasetFromIdx(images, { ...labels, data: Uint8Array.from([0, 1, 2, 3, 4, 10]) }), /label 10 at index 5 is outside \[0, 10\)/);
  await expectRejects(() => crit.datasetFromIdx({ ...images, type: 'f32', data: new Float32Array(72) }, labels), /images must be unsigned bytes/);
});

test('files: .gz and plain, both MNIST spellings, missing files named', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'crit-idx-'));
  const tr = pair(7), te = pair(3);
  writeFileSync(join(tmp, 'train-images-idx3-ubyte.gz'), gzipSync(crit.writeIdx(tr.images)));
  writeFileSync(join(tmp, 'train-labels-idx1-ubyte'), crit.writeIdx(tr.labels));
  writeFileSync(join(tmp, 't10k-images.idx3-ubyte'), crit.writeIdx(te.images));
  writeFileSync(join(tmp, 't10k-labels.idx1-ubyte.gz'), gzipSync(crit.writeIdx(te.labels)));
  const train = await crit.loadMnistDir(tmp, 'train');
  const t10k = await crit.loadMnistDir(tmp, 'test');
  assert.is(train.length, 7);
  assert.is(t10k.length, 3);
  assert.equal(Array.from(t10k.y), Array.from(te.labels.data));
  const only = mkdtempSync(join(tmpdir(), 'crit-idx-'));
  writeFileSync(join(only, 'train-images-idx3-ubyte'), crit.writeIdx(tr.images));
  await expectRejects(() => crit.loadMnistDir(only, 'train'), /no train labels file in .* \(looked for train-labels-idx1-ubyte, .*; IDX files there: train-images-idx3-ubyte\)/);
  await expectRejects(() => crit.loadMnistDir(join(tmp, 'nope'), 'train'), /does not exist or is not a folder/);
  await expectRejects(() => crit.readIdxFile(join(tmp, 'missing.gz')), /IDX file .*missing\.gz does not exist/);
  // Labels of the wrong set: counts differ.
  await expectRejects(() => crit.loadIdxDataset(join(tmp, 'train-images-idx3-ubyte.gz'), join(tmp, 't10k-labels.idx1-ubyte.gz')), /holds 7 images but .*t10k-labels.* holds 3 labels/);
});

const FASHION = '/usr/share/datasets/fashion-mnist';
const haveFashion = existsSync(join(FASHION, 't10k-images-idx3-ubyte.gz'));
const fashionTest = haveFashion ? test : test.skip;
if (!haveFashion) console.log(`SKIPPED fashion-mnist test: ${FASHION} not found (apt-get install dataset-fashion-mnist to run it)`);
fashionTest('Debian dataset-fashion-mnist: the full IDX .gz files', async () => {
  const t0 = performance.now();
  const test10k = await crit.loadMnistDir(FASHION, 'test');
  assert.is(test10k.length, 10000);
  assert.equal(test10k.sampleShape, [28, 28]);
  assert.equal(test10k.classCounts(), new Array(10).fill(1000)); // Fashion-MNIST is balanced
  // Independent decoding with node:zlib: same bytes, same labels, pixels mapped by p/127.5 - 1.
  const raw = gunzipSync(readFileSync(join(FASHION, 't10k-images-idx3-ubyte.gz')));
  const lab = gunzipSync(readFileSync(join(FASHION, 't10k-labels-idx1-ubyte.gz')));
  assert.equal(Array.from(test10k.y.subarray(0, 50)), Array.from(lab.subarray(8, 58)));
  let maxErr = 0;
  for (let i = 0; i < test10k.x.length; i += 97) maxErr = Math.max(maxErr, Math.abs(test10k.x[i] - (raw[16 + i] / 127.5 - 1)));
  assert.ok(maxErr < 1e-7, `pixel mapping error ${maxErr}`);
  const train = await crit.loadMnistDir(FASHION, 'train');
  assert.is(train.length, 60000);
  assert.equal(train.classCounts(), new Array(10).fill(6000));
  let lo = Infinity, hi = -Infinity;
  for (const v of train.x) { if (v < lo) lo = v; if (v > hi) hi = v; }
  assert.equal([lo, hi], [-1, 1]);
  console.log(`fashion-mnist: 70,000 images read in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
});

test.run();

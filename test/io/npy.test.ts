import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as crit from '../../src/index.node.js';

const io = 'test/fixtures/io';
const expect = JSON.parse(readFileSync(join(io, 'npy-expect.json'), 'utf8'));
const golden = JSON.parse(readFileSync('test/fixtures/torch/mlp-12-8-6-3.json', 'utf8'));
const bytes = (p: string) => new Uint8Array(readFileSync(p));
const f32 = (xs: number[]) => Array.from(Float32Array.from(xs));

function expectThrows(fn: () => unknown, re: RegExp): void {
  try { fn(); } catch (e) { assert.instance(e, crit.CritError); assert.match((e as Error).message, re); return; }
  assert.unreachable(`expected an error matching ${re}`);
}

test('numpy-written .npy files: f32, f64, big-endian, Fortran order, f16 and u8 all read to f32 in C order', () => {
  const x = crit.readNpy(bytes('test/fixtures/torch/inputs.npy'));
  assert.equal(x.shape, [6, 12]);
  assert.equal(Array.from(x.data), f32(golden.inputs.flat()));
  for (const f of ['x-f64.npy', 'x-be-f32.npy', 'x-fortran.npy']) {
    const a = crit.readNpy(bytes(join(io, f)), f);
    assert.equal(a.shape, expect.shape, f);
    assert.equal(Array.from(a.data), f32(expect.x), f);
  }
  assert.equal(Array.from(crit.readNpy(bytes(join(io, 'x-f16.npy'))).data), f32(expect.x_f16));
  const u8 = crit.readNpy(bytes(join(io, 'u8-2x3x4.npy')));
  assert.equal(u8.shape, [2, 3, 4]);
  assert.equal(Array.from(u8.data), Array.from({ length: 24 }, (_, i) => i));
});

test('writeNpy matches numpy byte for byte', () => {
  const x = crit.readNpy(bytes('test/fixtures/torch/inputs.npy'));
  assert.equal(Array.from(crit.writeNpy(x)), Array.from(bytes('test/fixtures/torch/inputs.npy')));
  const v = crit.readNpy(crit.writeNpy({ shape: [5], data: Float32Array.from([1, 2, 3, 4, 5]) }));
  assert.equal(v.shape, [5]);
});

test('raw little-endian f32 inputs', () => {
  const r = crit.readRawF32(bytes('test/fixtures/torch/inputs.f32'), 12);
  assert.equal(r.shape, [6, 12]);
  assert.equal(Array.from(r.data), f32(golden.inputs.flat()));
  expectThrows(() => crit.readRawF32(new Uint8Array(10), 1, 'x.f32'), /x\.f32: 10 bytes is not a whole number of f32 values/);
  expectThrows(() => crit.readRawF32(new Uint8Array(4 * 10), 12, 'x.f32'), /10 f32 values are not a whole number of rows of 12/);
});

test('bad .npy files', () => {
  const good = bytes('test/fixtures/torch/inputs.npy');
  expectThrows(() => crit.readNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 'a.npy'), /a\.npy: not a \.npy file/);
  expectThrows(() => crit.readNpy(good.subarray(0, 40)), /header of \d+ bytes runs past the end.*truncated/);
  expectThrows(() => crit.readNpy(good.subarray(0, good.length - 3)), /needs 288 data bytes, the file has 285: truncated/);
  const extra = new Uint8Array(good.length + 4); extra.set(good);
  expectThrows(() => crit.readNpy(extra), /4 bytes after the data/);
  const v9 = good.slice(); v9[6] = 9;
  expectThrows(() => crit.readNpy(v9), /format version 9\.0 is not supported/);
  const structured = good.slice();
  structured.set(new TextEncoder().encode("{'descr': [('a', '<f4')]"), 10);
  expectThrows(() => crit.readNpy(structured), /cannot read the \.npy header/);
});

test('readInputsFile: .npy of any shape with rows of the model input, raw otherwise', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'crit-npy-'));
  const p3 = join(tmp, 'x.npy');
  writeFileSync(p3, crit.writeNpy({ shape: [2, 3, 4], data: Float32Array.from({ length: 24 }, (_, i) => i) }));
  assert.equal(crit.readInputsFile(p3, 12).shape, [2, 12]);
  assert.equal(crit.readInputsFile(p3, 4).shape, [6, 4]);
  expectThrows(() => crit.readInputsFile(p3, 5), /trailing axes do not hold 5 inputs per row/);
  const single = join(tmp, 'one.npy');
  writeFileSync(single, crit.writeNpy({ shape: [12], data: new Float32Array(12) }));
  assert.equal(crit.readInputsFile(single, 12).shape, [1, 12]);
  assert.equal(crit.readInputsFile('test/fixtures/torch/inputs.f32', 12).shape, [6, 12]);
  expectThrows(() => crit.readInputsFile(join(tmp, 'nope.bin'), 12), /inputs file .*nope\.bin does not exist/);
});

test.run();

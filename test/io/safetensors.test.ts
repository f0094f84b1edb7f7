import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as crit from '../../src/index.node.js';

const dir = 'test/fixtures/torch';
const golden = JSON.parse(readFileSync(join(dir, 'mlp-12-8-6-3.json'), 'utf8'));
const bytes = (f: string) => new Uint8Array(readFileSync(join(dir, f)));

function expectThrows(fn: () => unknown, re: RegExp): void {
  try { fn(); } catch (e) {
    assert.instance(e, crit.CritError, `expected a CritError, got ${e}`);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected an error matching ${re}`);
}

/** A safetensors file with a hand-made header (for the corrupt cases). */
function craft(header: unknown, data: Uint8Array, lenOverride?: bigint): Uint8Array {
  const h = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lenOverride ?? BigInt(h.length), true);
  out.set(h, 8); out.set(data, 8 + h.length);
  return out;
}

test('reads the f32 file PyTorch weights were written to, exactly', () => {
  const { tensors, dtypes, metadata } = crit.readSafetensors(bytes('mlp-12-8-6-3.safetensors'));
  assert.equal(Object.keys(tensors), ['W1', 'b1', 'W2', 'b2', 'W3', 'b3']);
  assert.equal(tensors.W1.shape, [8, 12]);
  assert.equal(tensors.b3.shape, [3]);
  assert.equal(metadata.format, 'pt');
  for (const [n, w] of Object.entries(golden.weights as Record<string, number[]>)) {
    assert.equal(dtypes[n], 'F32');
    assert.equal(Array.from(tensors[n].data), w, n);
  }
});

test("a file from the reference writer (safetensors.torch.save_file: sorted names, its own padding)", () => {
  const { tensors, metadata } = crit.readSafetensors(bytes(golden.files.reference_writer));
  assert.equal(Object.keys(tensors).sort(), ['W1', 'W2', 'W3', 'b1', 'b2', 'b3']);
  assert.equal(metadata, { format: 'pt' });
  for (const [n, w] of Object.entries(golden.weights as Record<string, number[]>)) assert.equal(Array.from(tensors[n].data), w, n);
});

test('f64 and f16 files are converted to f32', () => {
  const f64 = crit.readSafetensors(bytes('mlp-12-8-6-3.f64.safetensors'));
  const f16 = crit.readSafetensors(bytes('mlp-12-8-6-3.f16.safetensors'));
  for (const [n, w] of Object.entries(golden.weights as Record<string, number[]>)) {
    assert.equal(f64.dtypes[n], 'F64');
    assert.equal(Array.from(f64.tensors[n].data), w, `${n} from f64`); // the f64 values are f32 values: exact
    assert.equal(f16.dtypes[n], 'F16');
    assert.equal(Array.from(f16.tensors[n].data), golden.weights_f16[n], `${n} from f16 (numpy's f16 decoding)`);
  }
});

test('half and bfloat16 decoding at the edges', () => {
  assert.is(crit.halfToFloat(0x3c00), 1);
  assert.is(crit.halfToFloat(0xc000), -2);
  assert.is(crit.halfToFloat(0x7bff), 65504);
  assert.is(crit.halfToFloat(0x0001), 2 ** -24); // smallest subnormal
  assert.is(crit.halfToFloat(0x7c00), Infinity);
  assert.ok(Number.isNaN(crit.halfToFloat(0x7e00)));
  assert.is(crit.bf16ToFloat(0x3f80), 1);
  assert.is(crit.bf16ToFloat(0xc040), -3);
});

test('our writer produces the same bytes as the Python writer (same header order and padding)', () => {
  const f = crit.readSafetensors(bytes('mlp-12-8-6-3.safetensors'));
  const ours = crit.writeSafetensors(f.tensors, f.metadata);
  assert.equal(Array.from(ours), Array.from(bytes('mlp-12-8-6-3.safetensors')));
});

test('write then read round-trips, header padded to 8 bytes, metadata kept', () => {
  for (const name of ['a', 'weight_with_a_longer_name', 'x'.repeat(13)]) {
    const t = { [name]: { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 1e-30, -0, 7]) }, s: { shape: [], data: Float32Array.from([42]) } };
    const b = crit.writeSafetensors(t, { arch: 'mlp:1-1:tanh' });
    const n = Number(new DataView(b.buffer).getBigUint64(0, true));
    assert.is((8 + n) % 8, 0);
    const r = crit.readSafetensors(b);
    assert.equal(r.tensors[name].shape, [2, 3]);
    assert.equal(Array.from(r.tensors[name].data), Array.from(t[name].data));
    assert.equal(r.tensors.s.shape, []);
    assert.equal(r.metadata, { arch: 'mlp:1-1:tanh' });
  }
});

test('integer and bool dtypes are cast', () => {
  const data = new Uint8Array(8 + 4 + 2);
  const v = new DataView(data.buffer);
  v.setBigInt64(0, -5n, true); v.setInt32(8, 70000, true); data[12] = 1; data[13] = 0;
  const f = crit.readSafetensors(craft({ a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] }, b: { dtype: 'I32', shape: [1], data_offsets: [8, 12] }, c: { dtype: 'BOOL', shape: [2], data_offsets: [12, 14] } }, data));
  assert.equal(Array.from(f.tensors.a.data), [-5]);
  assert.equal(Array.from(f.tensors.b.data), [70000]);
  assert.equal(Array.from(f.tensors.c.data), [1, 0]);
});

test('corrupt, truncated and wrong files give errors that say what is wrong', () => {
  const good = bytes('mlp-12-8-6-3.safetensors');
  const d8 = new Uint8Array(8);
  expectThrows(() => crit.readSafetensors(new Uint8Array(5), 'w.safetensors'), /w\.safetensors: 5 bytes is too short/);
  expectThrows(() => crit.readSafetensors(good.subarray(0, 100)), /runs past the end of the file.*truncated/);
  expectThrows(() => crit.readSafetensors(good.subarray(0, good.length - 4)), /past the \d+ data bytes: truncated/);
  expectThrows(() => crit.readSafetensors(craft('{}', d8, 1n << 40n)), /header length \d+ is over/);
  expectThrows(() => crit.readSafetensors(craft('{"a": [1,', d8)), /not valid UTF-8 JSON/);
  expectThrows(() => crit.readSafetensors(craft('[1, 2]', new Uint8Array(0))), /header is not a JSON object/);
  expectThrows(() => crit.readSafetensors(craft({ a: { dtype: 'F8_E4M3', shape: [8], data_offsets: [0, 8] } }, d8)), /'a': unsupported dtype "F8_E4M3"/);
  expectThrows(() => crit.readSafetensors(craft({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, d8)), /'a': F32 \[3\] needs 12 bytes but data_offsets \[0, 8\] hold 8/);
  expectThrows(() => crit.readSafetensors(craft({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, d8)), /'a' starts at byte 4 .*a gap/);
  expectThrows(() => crit.readSafetensors(craft({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, d8)), /overlapping/);
  expectThrows(() => crit.readSafetensors(craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, d8)), /4 bytes after the last tensor/);
  expectThrows(() => crit.readSafetensors(craft({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, d8)), /shape \[-1\] is not a list of non-negative integers/);
  expectThrows(() => crit.readSafetensors(craft({ a: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, d8)), /data_offsets \[8,0\] must be/);
  expectThrows(() => crit.readSafetensors(craft({ __metadata__: { n: 3 } }, new Uint8Array(0))), /__metadata__ must map strings to strings/);
  expectThrows(() => crit.writeSafetensors({ a: { shape: [2], data: new Float32Array(3) } }), /'a' has 3 values for shape \[2\]/);
});

test('tensors: load on the GPU, save back, and the file helpers (atomic write)', async () => {
  await crit.init();
  const params = crit.loadSafetensors(bytes('mlp-12-8-6-3.safetensors'));
  assert.equal(params.W2.shape, [6, 8]);
  assert.equal(Array.from(await params.W2.readF32()), golden.weights.W2);
  const tmp = mkdtempSync(join(tmpdir(), 'crit-st-'));
  const path = join(tmp, 'sub', 'saved.safetensors');
  await crit.saveSafetensorsFile(path, params, { arch: golden.arch });
  const back = crit.readSafetensorsFile(path);
  assert.equal(back.metadata.arch, golden.arch);
  for (const n of Object.keys(golden.weights)) assert.equal(Array.from(back.tensors[n].data), golden.weights[n]);
  const again = crit.loadSafetensorsFile(path);
  assert.equal(Array.from(await again.b1.readF32()), golden.weights.b1);
  try { crit.readSafetensorsFile(join(tmp, 'missing.safetensors')); assert.unreachable(); } catch (e) { assert.match((e as Error).message, /safetensors file .*missing\.safetensors does not exist/); }
});

test.run();

// Quick correctness sweep of every matmul variant against the op's f64 CPU reference, on awkward shapes
// (sizes that are not multiples of any block, transposes, batches with broadcasting, matrix-vector).
// Not a test (the op tests cover matmul); run it after touching shaders/matmul.wgsl:
//   node build.mjs --out dist-bench && node scripts/bench-matmul-check.mjs dist-bench [--variant register|tiled]
import { parseArgs } from 'node:util';
const { positionals, values } = parseArgs({ allowPositionals: true, options: { variant: { type: 'string' } } });
const crit = await import(`../${positionals[0] ?? 'dist'}/node/index.mjs`);
await crit.init();
const rule = crit.opTable.get('matmul');
// [batchA, batchB, M, K, N]: a batch of 0 means a rank-2 operand.
const shapes = [
  [0, 0, 1, 1, 1], [0, 0, 7, 33, 65], [0, 0, 130, 3, 257], [0, 0, 65, 64, 63], [0, 0, 64, 300, 100], [0, 0, 5, 17, 8],
  [0, 0, 300, 40, 1], [0, 0, 1, 40, 300], [0, 0, 3, 5, 4], [0, 0, 33, 9, 12], [0, 0, 17, 200, 3],
  [3, 3, 9, 13, 20], [4, 0, 6, 7, 5], [0, 2, 31, 4, 36], [2, 2, 70, 20, 2],
];
const variants = values.variant ? [values.variant] : ['register', 'tiled'];
let worst = 0, cases = 0;
const seedOf = (n) => ({ seed: n, stream: 7 });
for (const [ba, bb, M, K, N] of shapes) for (const transA of [false, true]) for (const transB of [false, true]) for (const variant of variants) {
  await crit.scopeAsync(async () => {
    const aShape = [...(ba ? [ba] : []), ...(transA ? [K, M] : [M, K])];
    const bShape = [...(bb ? [bb] : []), ...(transB ? [N, K] : [K, N])];
    const a = crit.uniform(aShape, -1, 1, seedOf(M * 31 + K)), b = crit.uniform(bShape, -1, 1, seedOf(N * 17 + K));
    const got = await crit.matmul(a, b, { transA, transB, variant }).readF32();
    const host = async (t) => ({ data: Float64Array.from(await t.readF32()), shape: [...t.shape] });
    const ref = rule.reference([await host(a), await host(b)], { transA, transB });
    // Error relative to sum_k |a||b| (about K/4 for U[-1,1]): f32 rounding stays near 1e-7 of it.
    const scale = Math.max(1, K / 4);
    let err = 0;
    for (let i = 0; i < ref.data.length; i++) err = Math.max(err, Math.abs(got[i] - ref.data[i]) / scale);
    if (got.length !== ref.data.length) err = Infinity;
    worst = Math.max(worst, err); cases++;
    if (!(err < 1e-5)) console.log(`FAIL ${variant} ${JSON.stringify(aShape)}${transA ? 'ᵀ' : ''} x ${JSON.stringify(bShape)}${transB ? 'ᵀ' : ''}: error ${err}`);
  });
}
console.log(`${cases} cases, worst error ${worst.toExponential(2)} (relative to K/4)`);
crit.shutdown();
process.exit(worst < 1e-5 ? 0 : 1);

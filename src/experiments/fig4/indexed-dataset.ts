// A Dataset that remembers the indices of the last batch it handed out. nn's training loop calls
// data.batch(indices) right before it evaluates the loss of that batch, so the criticality loss can look up
// each sample's singular vector from earlier epochs (warm start) without a change to the loop's interface.
import { Dataset } from '../../data/dataset.js';

export class IndexedDataset extends Dataset {
  lastIndices: Int32Array | null = null;

  static wrap(d: Dataset): IndexedDataset {
    return new IndexedDataset(d.x, d.y, d.sampleShape, d.classes, d.name);
  }

  override batch(indices: ArrayLike<number>): ReturnType<Dataset['batch']> {
    const b = super.batch(indices);
    this.lastIndices = Int32Array.from(indices);
    return b;
  }
}

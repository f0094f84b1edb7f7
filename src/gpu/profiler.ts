import { CritError } from '../util/errors.js';
// Per-dispatch GPU timing with timestamp queries. The engine asks for timestampWrites for each pass and
// resolves the query set at submit; results are read back in batches (not per dispatch). The per-kernel
// table and the Chrome trace-event export live in profile-report.ts.
export interface ProfileEvent {
  label: string;
  /** GPU timestamps in ns (the adapter's clock: only differences and order are meaningful). */
  startNs: number;
  endNs: number;
  /** The work the dispatch declared (DispatchArgs.flops / bytes). */
  flops?: number;
  bytes?: number;
  /** Index of the submit (command buffer) the dispatch went out in. */
  submit: number;
}

interface Meta { label: string; flops?: number; bytes?: number }
interface Batch { buf: GPUBuffer; meta: Meta[]; submit: number }

export class Profiler {
  private querySet: GPUQuerySet;
  private resolveBuf: GPUBuffer;
  private readBufs: GPUBuffer[] = [];
  private capacity: number;
  private used = 0;
  private submits = 0;
  private pendingMeta: Meta[] = [];
  private inFlight: Batch[] = [];
  private draining: Promise<void> = Promise.resolve();
  readonly events: ProfileEvent[] = [];
  /** Passes that went untimed because one submit held more than `capacity` of them. */
  untimed = 0;
  /** Timestamps the adapter reported as zero or backwards (e.g. a driver that drops them): not in events. */
  invalid = 0;

  constructor(private device: GPUDevice, capacityPasses = 2048) {
    // WebGPU caps a query set at 4,096 queries: two per pass.
    if (!Number.isInteger(capacityPasses) || capacityPasses < 1) throw new CritError(`Profiler: capacity must be a positive integer of passes, got ${capacityPasses}`);
    this.capacity = Math.min(capacityPasses, 2048);
    this.querySet = device.createQuerySet({ type: 'timestamp', count: this.capacity * 2 });
    this.resolveBuf = device.createBuffer({ size: this.capacity * 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  }

  /** Slots for one pass; when the query set is full, later passes in the same submit go untimed (counted). */
  timestampWrites(label: string, flops?: number, bytes?: number): GPUComputePassTimestampWrites | undefined {
    if (this.used >= this.capacity) { this.untimed++; return undefined; }
    const i = this.used++;
    this.pendingMeta.push({ label, flops, bytes });
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Called by the engine just before each submit: resolves this submit's timestamps into a readback buffer. */
  resolve(encoder: GPUCommandEncoder): void {
    const submit = this.submits++;
    if (this.used === 0) return;
    encoder.resolveQuerySet(this.querySet, 0, this.used * 2, this.resolveBuf, 0);
    const bytes = this.used * 16;
    const i = this.readBufs.findIndex((b) => b.size >= bytes);
    const buf = i >= 0 ? this.readBufs.splice(i, 1)[0] : this.device.createBuffer({ size: this.capacity * 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder.copyBufferToBuffer(this.resolveBuf, 0, buf, 0, bytes);
    // Long runs submit thousands of times: read older batches in the background so that readback
    // buffers do not pile up. Those batches were submitted before this one, so mapping them waits
    // at most for work that is already queued.
    if (this.inFlight.length >= 16) {
      const old = this.inFlight;
      this.inFlight = [];
      this.draining = this.draining.then(() => this.readBatches(old));
    }
    this.inFlight.push({ buf, meta: this.pendingMeta, submit });
    this.pendingMeta = [];
    this.used = 0;
  }

  private async readBatches(batches: Batch[]): Promise<void> {
    for (const { buf, meta, submit } of batches) {
      await buf.mapAsync(GPUMapMode.READ, 0, meta.length * 16);
      const t = new BigInt64Array(buf.getMappedRange(0, meta.length * 16).slice(0));
      buf.unmap();
      this.readBufs.push(buf);
      meta.forEach((m, i) => {
        const startNs = Number(t[2 * i]), endNs = Number(t[2 * i + 1]);
        if (startNs <= 0 || endNs < startNs) { this.invalid++; return; }
        this.events.push({ ...m, startNs, endNs, submit });
      });
    }
  }

  /**
   * Reads back every resolved batch into events (in submit order). Call after the engine has submitted
   * its work (Engine.flush, read or sync); passes still unsubmitted are not included.
   */
  async collect(): Promise<ProfileEvent[]> {
    const rest = this.inFlight;
    this.inFlight = [];
    await (this.draining = this.draining.then(() => this.readBatches(rest)));
    return this.events;
  }

  /** Forgets the events collected so far (e.g. after a warm-up). */
  reset(): void {
    this.events.length = 0;
    this.untimed = 0;
    this.invalid = 0;
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolveBuf.destroy();
    for (const b of this.readBufs) b.destroy();
    this.readBufs = [];
  }
}

// Per-dispatch GPU timing with timestamp queries. The engine asks for timestampWrites for each pass and
// resolves the query set at submit; results are read back in batches (not per dispatch).
export interface ProfileEvent { label: string; startNs: number; endNs: number; flops?: number; bytes?: number; }

export class Profiler {
  private querySet: GPUQuerySet;
  private resolveBuf: GPUBuffer;
  private readBufs: GPUBuffer[] = [];
  private capacity: number;
  private used = 0;
  private pendingMeta: { label: string; flops?: number; bytes?: number }[] = [];
  private inFlight: { buf: GPUBuffer; meta: { label: string; flops?: number; bytes?: number }[] }[] = [];
  readonly events: ProfileEvent[] = [];

  constructor(private device: GPUDevice, capacityPasses = 2048) {
    this.capacity = capacityPasses;
    this.querySet = device.createQuerySet({ type: 'timestamp', count: capacityPasses * 2 });
    this.resolveBuf = device.createBuffer({ size: capacityPasses * 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  }

  /** Slots for one pass; when the query set is full, later passes in the same submit go untimed. */
  timestampWrites(label: string, flops?: number, bytes?: number): GPUComputePassTimestampWrites | undefined {
    if (this.used >= this.capacity) return undefined;
    const i = this.used++;
    this.pendingMeta.push({ label, flops, bytes });
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  resolve(encoder: GPUCommandEncoder): void {
    if (this.used === 0) return;
    encoder.resolveQuerySet(this.querySet, 0, this.used * 2, this.resolveBuf, 0);
    const buf = this.readBufs.pop() ?? this.device.createBuffer({ size: this.capacity * 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder.copyBufferToBuffer(this.resolveBuf, 0, buf, 0, this.used * 16);
    this.inFlight.push({ buf, meta: this.pendingMeta });
    this.pendingMeta = [];
    this.used = 0;
  }

  /** Reads back every resolved batch into events. Call after the engine has submitted (e.g. after a read). */
  async collect(): Promise<ProfileEvent[]> {
    const batches = this.inFlight;
    this.inFlight = [];
    for (const { buf, meta } of batches) {
      await buf.mapAsync(GPUMapMode.READ);
      const t = new BigInt64Array(buf.getMappedRange().slice(0, meta.length * 16));
      buf.unmap();
      this.readBufs.push(buf);
      meta.forEach((m, i) => this.events.push({ ...m, startNs: Number(t[2 * i]), endNs: Number(t[2 * i + 1]) }));
    }
    return this.events;
  }
}

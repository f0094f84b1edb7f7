// Reuses GPU buffers by size class. Released buffers wait until the commands that may still use them
// have been submitted (Engine.flush) before they can be handed out again; nothing relies on the GC.
export class BufferPool {
  private free = new Map<number, GPUBuffer[]>();
  private pending: GPUBuffer[] = [];
  allocatedBytes = 0;
  liveBytes = 0;
  peakLiveBytes = 0;
  constructor(private device: GPUDevice, private usage: number) {}

  /** Size classes 2^k and 1.5*2^k (at least 256 bytes) keep reuse high and waste under 50%. */
  static sizeClass(bytes: number): number {
    const b = Math.max(256, bytes);
    const p = 2 ** Math.floor(Math.log2(b));
    if (b === p) return b;
    return b <= p * 1.5 ? Math.ceil(p * 1.5 / 4) * 4 : p * 2;
  }

  acquire(bytes: number): GPUBuffer {
    const size = BufferPool.sizeClass(bytes);
    const list = this.free.get(size);
    const buf = list && list.length ? list.pop()! : this.create(size);
    this.liveBytes += size;
    this.peakLiveBytes = Math.max(this.peakLiveBytes, this.liveBytes);
    return buf;
  }

  private create(size: number): GPUBuffer {
    this.allocatedBytes += size;
    return this.device.createBuffer({ size, usage: this.usage });
  }

  /** The buffer may still be read by encoded commands: it becomes reusable after the next submit. */
  release(buf: GPUBuffer): void {
    this.liveBytes -= buf.size;
    this.pending.push(buf);
  }

  /** Called after a submit: every released buffer is safe to reuse (the queue orders later writes after it). */
  recycle(): void {
    for (const b of this.pending) {
      const list = this.free.get(b.size);
      if (list) list.push(b); else this.free.set(b.size, [b]);
    }
    this.pending = [];
  }

  /** Destroys the free buffers (e.g. after a phase that used much memory). */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) { this.allocatedBytes -= b.size; b.destroy(); }
    this.free.clear();
  }
}

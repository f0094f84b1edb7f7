// The GPU side of crit: one device, many dispatches per command buffer, a uniform ring, a pipeline cache,
// a buffer pool and readback that does not spin the CPU while the (possibly CPU-emulated) GPU works.
import { BufferPool } from './buffer-pool.js';
import { preprocess, definesKey, type Defines } from './shader.js';
import { getGpuProvider, describeAdapter, requestDevice, type AdapterChoice, type AdapterDescription } from './adapter.js';
import { CritError } from '../util/errors.js';
import type { Profiler } from './profiler.js';
import oneIndexMain from '../../shaders/one_index.wgsl';

/** A kernel: a WGSL file (inlined text), the defines of this variant, and its entry point. */
export interface Kernel {
  /** Family name, e.g. 'matmul'; the profiler groups by `label ?? name`. */
  name: string;
  source: string;
  defines?: Defines;
  entry?: string;
}

export interface DispatchArgs {
  kernel: Kernel;
  /** Storage buffers at bindings 1..n, in the order the shader declares them. */
  buffers: GPUBuffer[];
  /** Uniform parameters at binding 0 (u32/i32/f32 packed as the shader's Params struct), at most 256 bytes. */
  params?: ArrayBuffer;
  /** Number of workgroups; a count over maxComputeWorkgroupsPerDimension is folded into y (kernels use linearWorkgroup). */
  workgroups?: number | [number, number, number];
  /**
   * Instead of workgroups, for the one-index kernels (a source that defines `fn element(i)` and a uniform `u.n`):
   * the number of indices. The engine appends shaders/one_index.wgsl's entry point and sets its WG and PER.
   */
  indices?: number;
  /** For the profiler: a label (default kernel.name) and the work done. */
  label?: string;
  flops?: number;
  bytes?: number;
}

const UNIFORM_SLOT = 256;
/** Workgroup size of the one-index kernels. */
const INDEX_WG = 64;
const RING_SLOTS = 2048;

export class Engine {
  readonly device: GPUDevice;
  readonly adapter: AdapterDescription;
  readonly limits: GPUSupportedLimits;
  readonly features: ReadonlySet<string>;
  readonly pool: BufferPool;
  profiler: Profiler | null = null;
  /** Chosen by adapter kind: CPU drivers (lavapipe, SwiftShader) prefer kernels without shared memory. */
  readonly isCpuAdapter: boolean;
  /**
   * Indices per invocation of the one-index kernels: CPU drivers pay per invocation and per workgroup started,
   * most of an elementwise map's time at one index per invocation (lavapipe, 2.5M floats: relu and add 11-12 ms
   * at 1, 5-6 at 8; docs/bench.md). 8 keeps 512 indices per workgroup, enough workgroups for many-core CPUs.
   * GPUs keep one. May be changed between dispatches (kernels are compiled per value; the tests of folded grids
   * set it to reach them with fewer indices).
   */
  get indicesPerInvocation(): number { return this.perInvocation; }
  set indicesPerInvocation(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new CritError(`indicesPerInvocation must be an integer >= 1, got ${n}`);
    this.perInvocation = n;
  }
  private perInvocation: number;

  private pipelines = new Map<string, GPUComputePipeline>();
  /** Each pipeline's bind group layout: getBindGroupLayout() makes a new object per call. */
  private layouts = new Map<GPUComputePipeline, GPUBindGroupLayout>();
  private modules = new Map<string, GPUShaderModule>();
  private encoder: GPUCommandEncoder | null = null;
  /**
   * The compute pass that consecutive dispatches share (a pass per dispatch cost a begin/end pair each; WebGPU
   * orders dispatches within a pass as across passes, storage writes visible to the next dispatch). Ended by any
   * other command on the encoder and by submits; with a profiler attached every dispatch gets its own pass (the
   * timestamps are per pass).
   */
  private pass: GPUComputePassEncoder | null = null;
  private ring: GPUBuffer;
  private ringData = new ArrayBuffer(UNIFORM_SLOT * RING_SLOTS);
  private ringUsed = 0;
  private stagingFree: GPUBuffer[] = [];
  private lost: string | null = null;
  private errors: string[] = [];
  /** Work queued since the last submit, and an online estimate of how fast the adapter does it. */
  private queuedFlops = 0;
  private queuedBytes = 0;
  private nsPerFlop = 0;
  private nsPerByte = 0;
  dispatchCount = 0;
  submitCount = 0;

  private constructor(device: GPUDevice, adapter: AdapterDescription, features: ReadonlySet<string>) {
    this.device = device;
    this.adapter = adapter;
    this.limits = device.limits;
    this.features = features;
    this.isCpuAdapter = adapter.kind !== 'gpu';
    this.perInvocation = this.isCpuAdapter ? 8 : 1;
    this.pool = new BufferPool(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    this.ring = device.createBuffer({ size: UNIFORM_SLOT * RING_SLOTS, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.lost.then((info) => { this.lost = `${info.reason}: ${info.message}`; });
    // Validation errors arrive asynchronously; they are kept and thrown at the next readback, so a bad
    // kernel can never yield silently wrong numbers.
    device.addEventListener?.('uncapturederror', (ev: Event) => {
      const err = (ev as GPUUncapturedErrorEvent).error;
      this.errors.push(err.message);
    });
  }

  static async create(choice: AdapterChoice = {}): Promise<Engine> {
    const provider = getGpuProvider();
    const adapters = await provider.adapters(choice);
    if (adapters.length === 0) {
      const which = choice.prefer && choice.prefer !== 'auto' ? ` matching '${choice.prefer}'` : '';
      throw new CritError(`no WebGPU adapter${which} found. ${provider.missingAdvice}`);
    }
    const adapter = adapters[0];
    const device = await requestDevice(adapter);
    return new Engine(device, describeAdapter(adapter), new Set([...device.features] as string[]));
  }

  get hasTimestamps(): boolean { return this.features.has('timestamp-query'); }

  /**
   * A compiled pipeline for a kernel variant (cached by source name, defines and entry point). With
   * `perInvocation`, a one-index kernel: shaders/one_index.wgsl's entry point appended, WG and PER set.
   */
  pipeline(kernel: Kernel, perInvocation?: number): GPUComputePipeline {
    const variant = perInvocation === undefined ? definesKey(kernel.defines) : `${definesKey(kernel.defines)}|PER=${perInvocation}`;
    const key = `${kernel.name}|${kernel.entry ?? 'main'}|${variant}`;
    let p = this.pipelines.get(key);
    if (p) return p;
    const mkey = `${kernel.name}|${variant}`;
    let module = this.modules.get(mkey);
    if (!module) {
      const code = perInvocation === undefined
        ? preprocess(kernel.name, kernel.source, kernel.defines)
        : preprocess(kernel.name, `${kernel.source}\n${oneIndexMain}`, { ...kernel.defines, WG: INDEX_WG, PER: perInvocation });
      module = this.device.createShaderModule({ code, label: kernel.name });
      this.modules.set(mkey, module);
    }
    p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: kernel.entry ?? 'main' }, label: key });
    this.pipelines.set(key, p);
    return p;
  }

  /** The pending encoder, for commands outside compute passes (copies): ends the shared pass first. */
  private enc(): GPUCommandEncoder {
    if (this.lost) throw new CritError(`the WebGPU device was lost (${this.lost})`);
    this.endPass();
    return (this.encoder ??= this.device.createCommandEncoder());
  }

  /** The compute pass consecutive dispatches share, begun on the pending encoder when none is open. */
  private sharedPass(): GPUComputePassEncoder {
    if (this.lost) throw new CritError(`the WebGPU device was lost (${this.lost})`);
    return (this.pass ??= (this.encoder ??= this.device.createCommandEncoder()).beginComputePass());
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  /** Splits a workgroup count into a grid that respects maxComputeWorkgroupsPerDimension. */
  foldGrid(count: number): [number, number, number] {
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    if (count <= max) return [Math.max(1, count), 1, 1];
    const y = Math.ceil(count / max);
    if (y > max) throw new CritError(`dispatch of ${count} workgroups exceeds the adapter's grid (${max}^2)`);
    return [Math.ceil(count / y), y, 1];
  }

  dispatch(args: DispatchArgs): void {
    if (this.ringUsed === RING_SLOTS) this.flush();
    const oneIndex = args.indices !== undefined;
    const workgroups = oneIndex ? Math.max(1, Math.ceil(args.indices! / (INDEX_WG * this.perInvocation))) : args.workgroups;
    if (workgroups === undefined) throw new CritError(`kernel ${args.kernel.name}: dispatch without workgroups or indices`);
    const pipeline = this.pipeline(args.kernel, oneIndex ? this.perInvocation : undefined);
    const entries: GPUBindGroupEntry[] = [];
    if (args.params) {
      if (args.params.byteLength > UNIFORM_SLOT) throw new CritError(`kernel ${args.kernel.name}: params of ${args.params.byteLength} bytes exceed ${UNIFORM_SLOT}`);
      const off = this.ringUsed * UNIFORM_SLOT;
      new Uint8Array(this.ringData, off, args.params.byteLength).set(new Uint8Array(args.params));
      this.ringUsed++;
      entries.push({ binding: 0, resource: { buffer: this.ring, offset: off, size: UNIFORM_SLOT } });
    }
    args.buffers.forEach((buffer, i) => entries.push({ binding: i + 1, resource: { buffer } }));
    let layout = this.layouts.get(pipeline);
    if (!layout) this.layouts.set(pipeline, (layout = pipeline.getBindGroupLayout(0)));
    const bindGroup = this.device.createBindGroup({ layout, entries });
    const grid = typeof workgroups === 'number' ? this.foldGrid(workgroups) : workgroups;
    const pass = this.profiler
      ? this.enc().beginComputePass({ timestampWrites: this.profiler.timestampWrites(args.label ?? args.kernel.name, args.flops, args.bytes) })
      : this.sharedPass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
    if (this.profiler) pass.end();
    this.dispatchCount++;
    this.queuedFlops += args.flops ?? 0;
    this.queuedBytes += args.bytes ?? 0;
  }

  copyBuffer(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.enc().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /**
   * Writes host data into a buffer. queue.writeBuffer runs before the pending encoder is submitted, so this is
   * for buffers that no pending command uses: fresh pool buffers qualify (released buffers are only reused
   * after a submit). Pass `inUse` to submit pending work first.
   */
  write(buffer: GPUBuffer, data: ArrayBufferView, offset = 0, inUse = false): void {
    if (inUse && this.encoder) this.flush();
    this.device.queue.writeBuffer(buffer, offset, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Submits everything encoded so far. */
  flush(): void {
    if (this.ringUsed > 0) this.device.queue.writeBuffer(this.ring, 0, this.ringData, 0, this.ringUsed * UNIFORM_SLOT);
    this.endPass();
    if (this.encoder) {
      this.profiler?.resolve(this.encoder);
      this.device.queue.submit([this.encoder.finish()]);
      this.submitCount++;
      this.encoder = null;
    }
    this.ringUsed = 0;
    this.pool.recycle();
  }

  private staging(bytes: number): GPUBuffer {
    const size = BufferPool.sizeClass(bytes);
    const i = this.stagingFree.findIndex((b) => b.size === size);
    if (i >= 0) return this.stagingFree.splice(i, 1)[0];
    return this.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  /** Copies bytes of a buffer back to the host. Submits pending work; waits without busy-polling first. */
  async read(buffer: GPUBuffer, bytes: number, offset = 0): Promise<ArrayBuffer> {
    const staging = this.staging(bytes);
    this.enc().copyBufferToBuffer(buffer, offset, staging, 0, Math.ceil(bytes / 4) * 4);
    const flops = this.queuedFlops, movedBytes = this.queuedBytes;
    this.queuedFlops = 0; this.queuedBytes = 0;
    this.flush();
    const t0 = performance.now();
    // While mapAsync is pending, Dawn's Node addon polls with setImmediate, which takes a core from a CPU
    // Vulkan driver. Sleep for most of the expected GPU time first, learned from earlier readbacks.
    const expectedMs = (flops * this.nsPerFlop + movedBytes * this.nsPerByte) * 1e-6;
    const sleptMs = expectedMs > 2 ? Math.min(expectedMs * 0.8, 2000) : 0;
    if (sleptMs > 0) await new Promise((r) => setTimeout(r, sleptMs));
    const t1 = performance.now();
    await staging.mapAsync(GPUMapMode.READ, 0, staging.size);
    const ms = performance.now() - t0, waitedMs = performance.now() - t1;
    // The total latency only bounds the GPU time from above once we slept: if the result was ready
    // when we looked (a short wait), shrink the estimate instead of learning the sleep back.
    const learn = (rate: number, work: number) => {
      if (sleptMs > 0 && waitedMs < 1) return rate * 0.85;
      const observed = (ms * 1e6) / work;
      return rate === 0 ? observed : 0.7 * rate + 0.3 * observed;
    };
    if (flops > 1e6) this.nsPerFlop = learn(this.nsPerFlop, flops);
    else if (movedBytes > 1e5) this.nsPerByte = learn(this.nsPerByte, movedBytes);
    const out = staging.getMappedRange(0, Math.ceil(bytes / 4) * 4).slice(0, bytes);
    staging.unmap();
    this.stagingFree.push(staging);
    this.throwErrors();
    return out;
  }

  /** Waits until all submitted work is done (for timing). */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    this.throwErrors();
  }

  /** Throws the WebGPU errors reported since the last check (validation, out of memory) or a lost device. */
  throwErrors(): void {
    if (this.lost) throw new CritError(`the WebGPU device was lost (${this.lost})`);
    if (this.errors.length) {
      const msgs = this.errors.splice(0);
      throw new CritError(`WebGPU error${msgs.length > 1 ? `s (${msgs.length})` : ''}: ${msgs[0]}`);
    }
  }

  /** Checks the WebGPU validation of everything encoded since the last call (use in tests and after building kernels). */
  async validate<T>(fn: () => T | Promise<T>): Promise<T> {
    this.device.pushErrorScope('validation');
    const r = await fn();
    this.flush();
    const err = await this.device.popErrorScope();
    if (err) throw new CritError(`WebGPU validation error: ${err.message}`);
    return r;
  }

  destroy(): void {
    this.flush();
    this.pool.trim();
    this.device.destroy();
  }
}

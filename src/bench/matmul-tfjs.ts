// The peer in the matmul benchmark: @tensorflow/tfjs-backend-webgpu (a devDependency), in the same process
// and on the same adapter as crit. In Node it needs navigator.gpu: a Dawn instance (npm `webgpu`) is put there
// before the backend module loads, and the backend gets a device of the adapter crit chose, so both engines
// run on the same driver. Any failure is returned as a reason, never thrown: the benchmark still runs crit.
import type { Engine } from '../gpu/engine.js';
import type { MatmulShape, MatmulRunner } from './matmul-crit.js';

/** The few tfjs-core calls used here (typed locally so the library does not depend on tfjs types). */
interface TfTensor { data(): Promise<Float32Array>; dispose(): void }
interface Tf {
  tensor2d(values: Float32Array, shape: [number, number], dtype: 'float32'): TfTensor;
  matMul(a: TfTensor, b: TfTensor): TfTensor;
  registerBackend(name: string, factory: () => unknown, priority?: number): boolean;
  removeBackend(name: string): void;
  findBackendFactory(name: string): unknown;
  setBackend(name: string): Promise<boolean>;
  getBackend(): string;
  ready(): Promise<void>;
  version_core?: string;
}
export interface TfjsPeer { tf: Tf; version: string; adapter: string }

type Dawn = { create(flags: string[]): GPU };

/** Loads tfjs-core and the WebGPU backend on crit's adapter; returns the reason when it cannot. */
export async function loadTfjs(eng: Engine): Promise<TfjsPeer | { error: string }> {
  try {
    const g = globalThis as unknown as { navigator?: { gpu?: GPU } };
    if (!g.navigator?.gpu) {
      const dawn = (await import('webgpu')) as unknown as Dawn;
      const gpu = dawn.create([]);
      if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
      else g.navigator = { gpu };
    }
    const gpu = g.navigator!.gpu!;
    // The adapter crit uses: the same description, found with or without forceFallbackAdapter.
    let adapter: GPUAdapter | null = null;
    for (const opts of [{ powerPreference: 'high-performance' }, { forceFallbackAdapter: true }, {}] as GPURequestAdapterOptions[]) {
      const a = await gpu.requestAdapter(opts).catch(() => null);
      if (a && a.info.description === eng.adapter.description) { adapter = a; break; }
    }
    if (!adapter) return { error: `no adapter matching crit's (${eng.adapter.description}) in tfjs's WebGPU instance` };
    const tf = (await import('@tensorflow/tfjs-core')) as unknown as Tf;
    const { WebGPUBackend } = (await import('@tensorflow/tfjs-backend-webgpu')) as unknown as { WebGPUBackend: new (device: GPUDevice, info?: GPUAdapterInfo) => unknown };
    // Like the backend's own factory (requested limits and timestamp queries), but on this adapter.
    const lim = adapter.limits;
    const device = await adapter.requestDevice({
      requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
      requiredLimits: {
        maxComputeWorkgroupStorageSize: lim.maxComputeWorkgroupStorageSize, maxComputeWorkgroupsPerDimension: lim.maxComputeWorkgroupsPerDimension,
        maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize, maxBufferSize: lim.maxBufferSize,
        maxComputeWorkgroupSizeX: lim.maxComputeWorkgroupSizeX, maxComputeInvocationsPerWorkgroup: lim.maxComputeInvocationsPerWorkgroup,
      },
    });
    // Kernels are registered under the name 'webgpu', so the backend must be too.
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter!.info), 10);
    if (!(await tf.setBackend('webgpu'))) return { error: 'tfjs could not initialise its webgpu backend' };
    await tf.ready();
    return { tf, version: tf.version_core ?? '?', adapter: adapter.info.description };
  } catch (e) {
    return { error: `tfjs-backend-webgpu did not load: ${(e as Error).message.split('\n')[0]}` };
  }
}

/** tf.matMul then data(): the same wall time as crit's (encode, submit, readback done). */
export function tfjsMatmul(peer: TfjsPeer, { m, k, n }: MatmulShape, a: Float32Array, b: Float32Array): MatmulRunner {
  const { tf } = peer;
  const ta = tf.tensor2d(a, [m, k], 'float32'), tb = tf.tensor2d(b, [k, n], 'float32');
  const runner: MatmulRunner = {
    result: new Float32Array(0),
    async warmup() {
      for (let i = 0; i < 2; i++) { const c = tf.matMul(ta, tb); await c.data(); c.dispose(); }
    },
    async once() {
      const t0 = performance.now();
      const c = tf.matMul(ta, tb);
      runner.result = await c.data();
      const ms = performance.now() - t0;
      c.dispose();
      return ms;
    },
    dispose() { ta.dispose(); tb.dispose(); },
  };
  return runner;
}

// WebGPU in browsers: navigator.gpu. The adapter preference is a hint ('gpu' asks for high performance).
import { setGpuProvider, describeAdapter, adapterMatches, type GpuProvider } from './adapter.js';

export const browserProvider: GpuProvider = {
  name: 'browser',
  async adapters(choice) {
    const gpu = (globalThis as { navigator?: Navigator }).navigator?.gpu;
    if (!gpu) return [];
    const a = await gpu.requestAdapter({ powerPreference: choice.powerPreference ?? 'high-performance' });
    return a && adapterMatches(describeAdapter(a), choice.prefer ?? 'auto') ? [a] : [];
  },
  missingAdvice: 'This browser exposes no WebGPU (navigator.gpu is missing). Use a current Chrome, Edge or Firefox Nightly over https or http://localhost; in Chromium on Linux start it with --enable-unsafe-webgpu.',
};

setGpuProvider(browserProvider);

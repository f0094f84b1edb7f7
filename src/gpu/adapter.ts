// Chooses a WebGPU adapter and creates a device with the adapter's own limits.
// The GPU object comes from a provider: Dawn in Node (provider-node.ts), navigator.gpu in browsers
// (provider-browser.ts), so nothing Node-only reaches the browser bundle.
import { CritError } from '../util/errors.js';

export type AdapterKind = 'gpu' | 'lavapipe' | 'swiftshader' | 'cpu';

export interface AdapterChoice {
  /** 'auto' (real GPU, else lavapipe, else SwiftShader), a kind, or a substring of the adapter description. */
  prefer?: string;
  powerPreference?: GPUPowerPreference;
}

export interface GpuProvider {
  /** Where this provider runs, for messages. */
  name: 'node' | 'browser';
  /** Returns the adapters worth trying for a choice, best first. */
  adapters(choice: AdapterChoice): Promise<GPUAdapter[]>;
  /** Advice printed when no adapter is found. */
  missingAdvice: string;
}

let provider: GpuProvider | undefined;
export function setGpuProvider(p: GpuProvider): void { provider = p; }
export function getGpuProvider(): GpuProvider {
  if (!provider) throw new CritError('no WebGPU provider registered: import crit from its Node or browser entry point');
  return provider;
}

export interface AdapterDescription {
  kind: AdapterKind;
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  subgroupMinSize?: number;
  subgroupMaxSize?: number;
}

export function describeAdapter(adapter: GPUAdapter): AdapterDescription {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean; subgroupMinSize?: number; subgroupMaxSize?: number };
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  const kind: AdapterKind = text.includes('llvmpipe') || text.includes('lavapipe') ? 'lavapipe'
    : text.includes('swiftshader') ? 'swiftshader'
    : info.isFallbackAdapter || text.includes('software') || text.includes('cpu') ? 'cpu' : 'gpu';
  return {
    kind, vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description,
    isFallbackAdapter: !!info.isFallbackAdapter, subgroupMinSize: info.subgroupMinSize, subgroupMaxSize: info.subgroupMaxSize,
  };
}

/** True when an adapter matches a preference ('auto', a kind, or a description substring). */
export function adapterMatches(d: AdapterDescription, prefer: string): boolean {
  const p = prefer.toLowerCase();
  if (p === 'auto' || p === '') return true;
  if (p === 'gpu' || p === 'lavapipe' || p === 'swiftshader' || p === 'cpu') return d.kind === p;
  return `${d.vendor} ${d.architecture} ${d.device} ${d.description}`.toLowerCase().includes(p);
}

const rank: Record<AdapterKind, number> = { gpu: 0, lavapipe: 1, cpu: 2, swiftshader: 3 };
export function adapterRank(d: AdapterDescription): number { return rank[d.kind]; }

/** Optional features crit uses when the adapter has them. */
export const wantedFeatures: GPUFeatureName[] = ['timestamp-query', 'subgroups', 'shader-f16'] as GPUFeatureName[];

export async function requestDevice(adapter: GPUAdapter): Promise<GPUDevice> {
  const requiredFeatures = wantedFeatures.filter((f) => adapter.features.has(f));
  // The default device limits are far below what adapters offer (128 MiB bindings instead of 1+ GiB): ask for all.
  const requiredLimits: Record<string, number> = {};
  const lim = adapter.limits as unknown as Record<string, number>;
  for (const key of ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupSizeZ', 'maxComputeWorkgroupsPerDimension',
    'maxStorageBuffersPerShaderStage', 'maxBindGroups', 'maxUniformBufferBindingSize']) {
    if (typeof lim[key] === 'number') requiredLimits[key] = lim[key];
  }
  return adapter.requestDevice({ requiredFeatures, requiredLimits });
}

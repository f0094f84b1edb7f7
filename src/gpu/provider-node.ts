// WebGPU in Node through Dawn (npm `webgpu`). Adapter choice: CRIT_ADAPTER / --adapter ('auto', 'gpu',
// 'lavapipe', 'swiftshader', or a substring of the adapter's description). SwiftShader is reached through
// the Vulkan ICD that Debian's chromium ships, selected before Dawn creates its Vulkan instance.
import { existsSync } from 'node:fs';
import { setGpuProvider, describeAdapter, adapterMatches, adapterRank, type GpuProvider, type AdapterChoice } from './adapter.js';
import { CritError } from '../util/errors.js';

const swiftshaderIcds = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json'];

type Dawn = { create(flags: string[]): GPU; globals: Record<string, unknown> };
let dawn: Dawn | undefined;
async function loadDawn(): Promise<Dawn> {
  if (dawn) return dawn;
  try {
    dawn = (await import('webgpu')) as unknown as Dawn;
  } catch (e) {
    throw new CritError(`cannot load Dawn (npm package 'webgpu'): ${(e as Error).message}. Run \`npm ci\` in the crit folder.`);
  }
  Object.assign(globalThis, dawn.globals);
  process.env.NODEVICE_SELECT ??= '1'; // silences Mesa's device-select layer warnings
  return dawn;
}

const gpus = new Map<string, GPU>();
async function gpuWith(icd?: string): Promise<GPU> {
  const key = icd ?? '';
  let g = gpus.get(key);
  if (!g) {
    const d = await loadDawn();
    if (icd) process.env.VK_ADD_DRIVER_FILES = icd; // read when Dawn creates its Vulkan instance
    g = d.create([]);
    gpus.set(key, g);
  }
  return g;
}

async function adapters(choice: AdapterChoice): Promise<GPUAdapter[]> {
  const prefer = (choice.prefer ?? process.env.CRIT_ADAPTER ?? 'auto').toLowerCase();
  const found: GPUAdapter[] = [];
  if (prefer !== 'swiftshader') {
    const g = await gpuWith();
    for (const opts of [{ powerPreference: choice.powerPreference ?? 'high-performance' }, { forceFallbackAdapter: true }] as GPURequestAdapterOptions[]) {
      const a = await g.requestAdapter(opts).catch(() => null);
      if (a && !found.some((f) => f.info.description === a.info.description)) found.push(a);
    }
  }
  if (prefer === 'swiftshader' || prefer === 'auto' || prefer === 'cpu' || !found.some((a) => adapterMatches(describeAdapter(a), prefer))) {
    const icd = swiftshaderIcds.find((p) => existsSync(p));
    if (icd && (found.length === 0 || prefer !== 'auto')) {
      const a = await (await gpuWith(icd)).requestAdapter().catch(() => null);
      if (a) found.push(a);
    }
  }
  return found.filter((a) => adapterMatches(describeAdapter(a), prefer)).sort((x, y) => adapterRank(describeAdapter(x)) - adapterRank(describeAdapter(y)));
}

export const nodeProvider: GpuProvider = {
  name: 'node',
  adapters,
  missingAdvice: 'No WebGPU adapter. On Debian as root, `bash scripts/provision.sh` installs Mesa lavapipe (a CPU Vulkan driver) and a Vulkan loader; elsewhere install libvulkan1 and a Vulkan driver (your GPU\'s, or Mesa >= 24 lavapipe).',
};

setGpuProvider(nodeProvider);

import { parseArgs } from 'node:util';
import type { CliCommand } from '../command.js';
import { init } from '../../api.js';

export const info: CliCommand = {
  name: 'info',
  summary: 'the WebGPU adapter crit uses, its limits and features',
  usage: `usage: crit info [--adapter auto|gpu|lavapipe|swiftshader|<name>] [--json]

Prints the chosen adapter (a real GPU, else Mesa lavapipe, else SwiftShader; override with --adapter or
CRIT_ADAPTER), the device limits crit requested and the optional features it enabled.`,
  async run(args) {
    const { values } = parseArgs({ args, options: { adapter: { type: 'string' }, json: { type: 'boolean' } } });
    const eng = await init({ prefer: values.adapter });
    const limits: Record<string, number> = {};
    for (const k in eng.limits) { const v = (eng.limits as unknown as Record<string, unknown>)[k]; if (typeof v === 'number') limits[k] = v; }
    const out = { adapter: eng.adapter, features: [...eng.features].sort(), limits, matmulVariant: eng.isCpuAdapter ? 'register' : 'tiled' };
    if (values.json) console.log(JSON.stringify(out, null, 2));
    else {
      console.log(`adapter: ${eng.adapter.description} (${eng.adapter.kind}; vendor ${eng.adapter.vendor}, ${eng.adapter.architecture})`);
      console.log(`features: ${out.features.join(', ')}`);
      console.log(`max storage binding: ${(limits.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB, max buffer: ${(limits.maxBufferSize / 2 ** 20).toFixed(0)} MiB, workgroup storage: ${limits.maxComputeWorkgroupStorageSize} B, invocations/workgroup: ${limits.maxComputeInvocationsPerWorkgroup}`);
      console.log(`matmul variant: ${out.matmulVariant}`);
    }
    eng.destroy();
    return 0;
  },
};

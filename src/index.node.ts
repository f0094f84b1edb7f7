// crit for Node: WebGPU through Dawn (npm `webgpu`).
import './gpu/provider-node.js';
export * from './api.js';

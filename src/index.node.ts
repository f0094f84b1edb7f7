// crit for Node: WebGPU through Dawn (npm `webgpu`).
import './gpu/provider-node.js';
export * from './api.js';
export * from './io/files.js';
export * from './data/files.js';

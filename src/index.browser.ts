// crit for browsers: WebGPU through navigator.gpu. Nothing here may import Node modules.
import './gpu/provider-browser.js';
export * from './api.js';

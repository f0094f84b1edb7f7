// File formats for weights and inputs (browser-safe: bytes in, bytes out). File paths: files.ts (Node).
export { type HostArray, halfToFloat, bf16ToFloat } from './host.js';
export { parseSafetensors, readSafetensors, writeSafetensors, entryToF32, type SafetensorsEntry, type SafetensorsFile } from './safetensors.js';
export { readNpy, writeNpy, isNpy } from './npy.js';
export { readRawF32 } from './raw.js';
export { uploadAll, downloadAll, loadSafetensors, saveSafetensors } from './tensors.js';
export { readPth, isPth, type PthFile } from './pth.js';
export { unpickle, unpickleAt, type PickleHooks, type PyGlobal, type PyCall } from './pickle.js';
export { zipEntries, zipRead, isZip, type ZipEntry, type Inflate } from './zip.js';

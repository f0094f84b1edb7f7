// Small helpers shared by the op files: packing uniform params and sizing 1-d dispatches.

export const WG = 64;

/** Packs a Params struct: each field is ['u32' | 'i32' | 'f32', value] or a u32 array padded to vec4s. */
export class ParamWriter {
  private view: DataView;
  private off = 0;
  constructor(bytes = 256) { this.view = new DataView(new ArrayBuffer(bytes)); }
  u32(v: number): this { this.view.setUint32(this.off, v >>> 0, true); this.off += 4; return this; }
  i32(v: number): this { this.view.setInt32(this.off, v | 0, true); this.off += 4; return this; }
  f32(v: number): this { this.view.setFloat32(this.off, v, true); this.off += 4; return this; }
  /** An array<vec4<u32>, n> field: aligned to 16 bytes, padded to n*4 entries. */
  vec4s(values: readonly number[], n: number): this {
    this.off = Math.ceil(this.off / 16) * 16;
    for (let i = 0; i < n * 4; i++) this.u32(values[i] ?? 0);
    return this;
  }
  align(to = 16): this { this.off = Math.ceil(this.off / to) * to; return this; }
  get buffer(): ArrayBuffer { return (this.view.buffer as ArrayBuffer).slice(0, Math.max(16, Math.ceil(this.off / 16) * 16)); }
}

/** Workgroups for n invocations of a 1-d kernel. */
export function groups1d(n: number, wg = WG): number { return Math.max(1, Math.ceil(n / wg)); }

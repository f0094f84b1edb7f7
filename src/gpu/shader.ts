// Turns a WGSL file from shaders/ plus defines into shader code.
// - Boolean defines drive `#if NAME` / `#elif NAME` / `#else` / `#endif` through wgsl-preprocessor.
// - Number and string defines replace `{{NAME}}` tokens (workgroup sizes, the op of an elementwise kernel).
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { CritError } from '../util/errors.js';

export type Defines = Record<string, boolean | number | string>;

export function preprocess(name: string, source: string, defines: Defines = {}): string {
  // wgsl-preprocessor is a template tag: split the text at each `#if NAME` / `#elif NAME` into
  // template strings and boolean values, so the same file can be preprocessed with any defines.
  const strings: string[] = [];
  const values: boolean[] = [];
  const re = /#(if|elif)\s+(!?)([A-Za-z_][A-Za-z0-9_]*)/g;
  let last = 0;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    strings.push(source.slice(last, m.index) + `#${m[1]} `);
    const v = defines[m[3]];
    values.push(m[2] === '!' ? !v : !!v);
    last = m.index + m[0].length;
  }
  strings.push(source.slice(last));
  const raw = Object.assign([...strings], { raw: strings }) as unknown as TemplateStringsArray;
  let code = wgsl(raw, ...values);
  code = code.replace(/\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/g, (_, key: string) => {
    const v = defines[key];
    if (v === undefined || typeof v === 'boolean') throw new CritError(`shader ${name}: define {{${key}}} has no value`);
    return String(v);
  });
  return code;
}

export function definesKey(defines: Defines = {}): string {
  return Object.keys(defines).sort().map((k) => `${k}=${defines[k]}`).join(';');
}

// Static SVG plots from Vega-Lite specs, rendered in Node without a browser: vega-lite compiles the spec to
// Vega and a headless vega View (renderer 'none') writes the SVG. Vega is loaded on first use, so commands
// that draw nothing do not pay for it. Why Vega-Lite: one declarative JSON spec per plot (log scales,
// facets, layered rules and text), SVG output in Node with no native dependency (no canvas, no browser), and
// the same spec renders interactively in a browser page later.
import { CritError } from '../util/errors.js';

export type VegaLiteSpec = Record<string, unknown>;

let libs: Promise<{ vega: typeof import('vega'); vl: typeof import('vega-lite') }> | null = null;
function load() {
  libs ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => ({ vega, vl }));
  return libs;
}

/** Default look: white background, compact fonts, no external fonts or URLs. */
const baseConfig = {
  background: 'white',
  font: 'Helvetica, Arial, sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridOpacity: 0.4 },
  // No label truncation: without a canvas, Vega estimates text widths (generously) and would cut labels short.
  legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 0 },
  title: { fontSize: 13, anchor: 'start' },
  view: { stroke: '#bbb' },
};

/** Renders a Vega-Lite spec to an SVG string. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const { vega, vl } = await load();
  let compiled;
  try {
    compiled = vl.compile({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', ...spec, config: { ...baseConfig, ...(spec.config as object ?? {}) } } as never).spec;
  } catch (e) {
    throw new CritError(`plot: invalid Vega-Lite spec (${(e as Error).message})`);
  }
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Replaces non-finite numbers by null (Vega-Lite drops them) so data rows can carry NaN/∞ safely. */
export function finiteOrNull<T extends Record<string, unknown>>(rows: T[]): T[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' && !Number.isFinite(v) ? null : v])) as T);
}

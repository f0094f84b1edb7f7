// Reports of experiments: Vega-Lite plots rendered to static SVG in Node, self-contained HTML pages, tidy CSV.
export { renderSvg, finiteOrNull, type VegaLiteSpec } from './plot.js';
export { page, table, figure, p, esc, mark, type Section } from './html.js';
export { toCsv } from './csv.js';
export { fmtNum, fmtPct, finiteJson } from './format.js';

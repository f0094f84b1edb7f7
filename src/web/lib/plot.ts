// Small canvas charts for the demo pages (line/scatter plots with linear or log axes, reference lines,
// and a heatmap), so the pages need no plotting dependency.

export interface Series {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color: string;
  label?: string;
  /** 'line' (default), 'points', or both. */
  mode?: 'line' | 'points' | 'both';
  /** Per-point labels drawn beside points. */
  pointLabels?: string[];
  dash?: number[];
}

export interface RefLine { at: number; color: string; label?: string; dash?: number[] }

export interface PlotOptions {
  series: Series[];
  xlabel?: string;
  ylabel?: string;
  xlog?: boolean;
  ylog?: boolean;
  xrange?: [number, number];
  yrange?: [number, number];
  vlines?: RefLine[];
  hlines?: RefLine[];
  title?: string;
  /** Corner of the legend (default top right). */
  legend?: 'tr' | 'tl' | 'br' | 'bl';
}

const FONT = '12px system-ui, sans-serif';
const PAD = { l: 58, r: 14, t: 24, b: 40 };

function prepare(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; w: number; h: number } {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || canvas.width, h = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) { canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr); }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.font = FONT;
  return { ctx, w, h };
}

function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / n, mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}
function logTicks(lo: number, hi: number): number[] {
  // Powers of ten; within less than two decades also 2x and 5x, so there are always a few labels.
  const mult = hi / lo < 100 ? [1, 2, 5] : [1];
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of mult) { const v = m * 10 ** e; if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v); }
  }
  if (out.length >= 2) return out;
  return niceTicks(lo, hi, 3).filter((v) => v > 0);
}
function tickText(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e4 || a < 1e-2) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

function extent(vals: number[], log: boolean): [number, number] {
  const v = vals.filter((x) => Number.isFinite(x) && (!log || x > 0));
  if (!v.length) return log ? [1, 10] : [0, 1];
  let lo = Math.min(...v), hi = Math.max(...v);
  if (lo === hi) { if (log) { lo /= 2; hi *= 2; } else { lo -= 0.5; hi += 0.5; } }
  if (!log) { const m = (hi - lo) * 0.05; lo -= m; hi += m; }
  return [lo, hi];
}

/** Draws a chart into the canvas (sized by CSS; redrawn at the device pixel ratio). */
export function plot(canvas: HTMLCanvasElement, o: PlotOptions): void {
  const { ctx, w, h } = prepare(canvas);
  const xs = o.series.flatMap((s) => Array.from(s.x)).concat((o.vlines ?? []).map((l) => l.at));
  const ys = o.series.flatMap((s) => Array.from(s.y)).concat((o.hlines ?? []).map((l) => l.at));
  const [x0, x1] = o.xrange ?? extent(xs, !!o.xlog), [y0, y1] = o.yrange ?? extent(ys, !!o.ylog);
  const fx = (v: number) => o.xlog ? Math.log10(v) : v, fy = (v: number) => o.ylog ? Math.log10(v) : v;
  const X = (v: number) => PAD.l + ((fx(v) - fx(x0)) / (fx(x1) - fx(x0) || 1)) * (w - PAD.l - PAD.r);
  const Y = (v: number) => h - PAD.b - ((fy(v) - fy(y0)) / (fy(y1) - fy(y0) || 1)) * (h - PAD.t - PAD.b);
  // Axes and grid.
  ctx.strokeStyle = '#ddd'; ctx.fillStyle = '#444'; ctx.lineWidth = 1;
  ctx.textAlign = 'center'; ctx.textBaseline = 'top';
  for (const t of o.xlog ? logTicks(x0, x1) : niceTicks(x0, x1)) {
    const px = X(t);
    ctx.beginPath(); ctx.moveTo(px, PAD.t); ctx.lineTo(px, h - PAD.b); ctx.stroke();
    ctx.fillText(tickText(t), px, h - PAD.b + 4);
  }
  ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
  for (const t of o.ylog ? logTicks(y0, y1) : niceTicks(y0, y1)) {
    const py = Y(t);
    ctx.beginPath(); ctx.moveTo(PAD.l, py); ctx.lineTo(w - PAD.r, py); ctx.stroke();
    ctx.fillText(tickText(t), PAD.l - 4, py);
  }
  ctx.strokeStyle = '#888';
  ctx.strokeRect(PAD.l, PAD.t, w - PAD.l - PAD.r, h - PAD.t - PAD.b);
  ctx.textAlign = 'center'; ctx.textBaseline = 'bottom';
  if (o.xlabel) ctx.fillText(o.xlabel, (PAD.l + w - PAD.r) / 2, h - 4);
  if (o.title) { ctx.font = 'bold ' + FONT; ctx.fillText(o.title, (PAD.l + w - PAD.r) / 2, PAD.t - 6); ctx.font = FONT; }
  if (o.ylabel) { ctx.save(); ctx.translate(12, (PAD.t + h - PAD.b) / 2); ctx.rotate(-Math.PI / 2); ctx.textBaseline = 'middle'; ctx.fillText(o.ylabel, 0, 0); ctx.restore(); }
  ctx.save();
  ctx.beginPath(); ctx.rect(PAD.l, PAD.t, w - PAD.l - PAD.r, h - PAD.t - PAD.b); ctx.clip();
  const ref = (l: RefLine, vertical: boolean) => {
    ctx.strokeStyle = l.color; ctx.fillStyle = l.color; ctx.setLineDash(l.dash ?? [5, 4]); ctx.lineWidth = 1.5;
    ctx.beginPath();
    if (vertical) { ctx.moveTo(X(l.at), PAD.t); ctx.lineTo(X(l.at), h - PAD.b); } else { ctx.moveTo(PAD.l, Y(l.at)); ctx.lineTo(w - PAD.r, Y(l.at)); }
    ctx.stroke(); ctx.setLineDash([]);
    if (l.label) { ctx.textAlign = 'left'; ctx.textBaseline = 'top'; ctx.fillText(l.label, vertical ? X(l.at) + 3 : PAD.l + 3, vertical ? PAD.t + 3 : Y(l.at) + 2); }
  };
  for (const l of o.vlines ?? []) ref(l, true);
  for (const l of o.hlines ?? []) ref(l, false);
  for (const s of o.series) {
    const n = Math.min(s.x.length, s.y.length);
    const ok = (i: number) => Number.isFinite(s.y[i]) && Number.isFinite(s.x[i]) && (!o.xlog || s.x[i] > 0) && (!o.ylog || s.y[i] > 0);
    ctx.strokeStyle = s.color; ctx.fillStyle = s.color; ctx.lineWidth = 2;
    if (s.mode !== 'points') {
      ctx.setLineDash(s.dash ?? []);
      ctx.beginPath();
      let pen = false;
      for (let i = 0; i < n; i++) {
        if (!ok(i)) { pen = false; continue; }
        if (pen) ctx.lineTo(X(s.x[i]), Y(s.y[i])); else ctx.moveTo(X(s.x[i]), Y(s.y[i]));
        pen = true;
      }
      ctx.stroke(); ctx.setLineDash([]);
    }
    if (s.mode === 'points' || s.mode === 'both') {
      for (let i = 0; i < n; i++) {
        if (!ok(i)) continue;
        ctx.beginPath(); ctx.arc(X(s.x[i]), Y(s.y[i]), 3.5, 0, 2 * Math.PI); ctx.fill();
        const lab = s.pointLabels?.[i];
        if (lab) { ctx.fillStyle = '#333'; ctx.textAlign = 'left'; ctx.textBaseline = 'middle'; ctx.fillText(lab, X(s.x[i]) + 5, Y(s.y[i])); ctx.fillStyle = s.color; }
      }
    }
  }
  ctx.restore();
  // Legend.
  const named = o.series.filter((s) => s.label);
  ctx.textAlign = 'left'; ctx.textBaseline = 'middle';
  named.forEach((s, i) => {
    const corner = o.legend ?? 'tr';
    const y = corner[0] === 't' ? PAD.t + 10 + i * 16 : h - PAD.b - 10 - (named.length - 1 - i) * 16;
    const x = corner[1] === 'r' ? w - PAD.r - 150 : PAD.l + 8;
    ctx.fillStyle = 'rgba(255,255,255,0.8)'; ctx.fillRect(x - 4, y - 7, 152, 15);
    ctx.fillStyle = s.color; ctx.fillRect(x, y - 2, 14, 4);
    ctx.fillStyle = '#222'; ctx.fillText(s.label!, x + 20, y);
  });
}

/** A perceptual-ish colour map (dark blue -> teal -> yellow) for t in [0, 1]. */
export function colormap(t: number): [number, number, number] {
  const stops: [number, number, number][] = [[13, 8, 135], [84, 2, 163], [139, 10, 165], [185, 50, 137], [219, 92, 104], [244, 136, 73], [254, 188, 43], [240, 249, 33]];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1), i = Math.min(stops.length - 2, Math.floor(x)), f = x - i;
  return [0, 1, 2].map((k) => Math.round(stops[i][k] + f * (stops[i + 1][k] - stops[i][k]))) as [number, number, number];
}

export interface HeatmapOptions {
  /** Values <= 0 are drawn as the lowest colour; the scale is log10 between these bounds. */
  logRange: [number, number];
  xlabel?: string;
  ylabel?: string;
  /** Labels for the first and last row. */
  rowLabels?: [string, string];
  title?: string;
}

/** rows x cols values, row 0 at the top, on a log colour scale with a colour bar. */
export function heatmap(canvas: HTMLCanvasElement, data: ArrayLike<number>, rows: number, cols: number, o: HeatmapOptions): void {
  const { ctx, w, h } = prepare(canvas);
  const bar = 70, pl = 44, pt = o.title ? 22 : 8, pb = 30;
  const img = ctx.createImageData(cols, rows);
  const [lo, hi] = o.logRange.map(Math.log10);
  for (let i = 0; i < rows * cols; i++) {
    const v = data[i];
    const t = v > 0 && Number.isFinite(v) ? (Math.log10(v) - lo) / (hi - lo) : 0;
    const [r, g, b] = colormap(t);
    img.data.set([r, g, b, 255], 4 * i);
  }
  const tmp = document.createElement('canvas');
  tmp.width = cols; tmp.height = rows;
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  const pw = w - pl - bar, ph = h - pt - pb;
  ctx.drawImage(tmp, pl, pt, pw, ph);
  ctx.strokeStyle = '#888'; ctx.strokeRect(pl, pt, pw, ph);
  ctx.fillStyle = '#444'; ctx.font = FONT;
  if (o.title) { ctx.textAlign = 'center'; ctx.textBaseline = 'bottom'; ctx.font = 'bold ' + FONT; ctx.fillText(o.title, pl + pw / 2, pt - 4); ctx.font = FONT; }
  ctx.textAlign = 'center'; ctx.textBaseline = 'top';
  if (o.xlabel) ctx.fillText(o.xlabel, pl + pw / 2, pt + ph + 8);
  if (o.rowLabels) {
    ctx.textAlign = 'right'; ctx.textBaseline = 'top'; ctx.fillText(o.rowLabels[0], pl - 4, pt);
    ctx.textBaseline = 'bottom'; ctx.fillText(o.rowLabels[1], pl - 4, pt + ph);
  }
  if (o.ylabel) { ctx.save(); ctx.translate(12, pt + ph / 2); ctx.rotate(-Math.PI / 2); ctx.textAlign = 'center'; ctx.textBaseline = 'middle'; ctx.fillText(o.ylabel, 0, 0); ctx.restore(); }
  // Colour bar.
  const bx = pl + pw + 12;
  for (let y = 0; y < ph; y++) { const [r, g, b] = colormap(1 - y / ph); ctx.fillStyle = `rgb(${r},${g},${b})`; ctx.fillRect(bx, pt + y, 12, 1); }
  ctx.fillStyle = '#444'; ctx.textAlign = 'left'; ctx.textBaseline = 'top';
  ctx.fillText(`1e${Math.round(hi)}`, bx + 15, pt);
  ctx.textBaseline = 'bottom'; ctx.fillText(`1e${Math.round(lo)}`, bx + 15, pt + ph);
}

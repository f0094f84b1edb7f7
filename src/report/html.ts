// A self-contained HTML report: sections of text, tables and inline SVG plots, no scripts or external files.
export const esc = (s: unknown) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface Section {
  title: string;
  /** HTML fragments, in order (use table(), figure(), p()). */
  body: string[];
}

export const p = (html: string) => `<p>${html}</p>`;

/** A table; cells are escaped text unless given as { html }. */
export function table(header: string[], rows: (string | number | { html: string })[][], caption?: string): string {
  const cell = (c: string | number | { html: string }) => (typeof c === 'object' ? c.html : esc(c));
  return `<table>${caption ? `<caption>${esc(caption)}</caption>` : ''}<thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

export function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption>${esc(caption)}</figcaption></figure>`;
}

const style = `body{font-family:Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:1em 0;font-size:.92em}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}caption{text-align:left;font-weight:bold;margin-bottom:.3em}
figure{margin:1.2em 0}figcaption{font-size:.9em;color:#555;max-width:900px}svg{max-width:100%;height:auto}
.ok{color:#1a7f37;font-weight:bold}.bad{color:#c62828;font-weight:bold}code{background:#f4f4f4;padding:0 .2em}`;

/** The whole page. */
export function page(title: string, intro: string[], sections: Section[]): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${style}</style></head><body>` +
    `<h1>${esc(title)}</h1>${intro.join('\n')}` +
    sections.map((s) => `<section><h2>${esc(s.title)}</h2>${s.body.join('\n')}</section>`).join('\n') +
    `</body></html>\n`;
}

/** A pass/fail mark. */
export const mark = (ok: boolean, text = ok ? 'yes' : 'no') => ({ html: `<span class="${ok ? 'ok' : 'bad'}">${esc(text)}</span>` });

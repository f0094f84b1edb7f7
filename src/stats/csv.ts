// A small CSV reader for the statistics CLI and API: RFC 4180 quoting ("a, b" and "" for a quote), CRLF or
// LF line ends, a byte-order mark, blank lines skipped. The first record is the header.

export interface CsvTable {
  header: string[];
  /** Data rows (header excluded), each with one string per header field. */
  rows: string[][];
  /** 1-based line number in the file where each data row starts (for error messages). */
  lines: number[];
  /** The same data by column name. */
  columns: Record<string, string[]>;
}

export class CsvError extends Error {
  override name = 'CsvError';
}

/** Parses CSV text. Throws CsvError for an unclosed quote, a row with the wrong number of fields, or a bad header. */
export function parseCsv(text: string, opts: { delimiter?: string } = {}): CsvTable {
  const delim = opts.delimiter ?? ',';
  if (delim.length !== 1 || delim === '"' || delim === '\n') throw new CsvError(`bad CSV delimiter '${delim}'`);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records: { fields: string[]; line: number }[] = [];
  let field = '';
  let fields: string[] = [];
  let line = 1, startLine = 1;
  let i = 0;
  let inQuotes = false, quotedStart = 0, sawAny = false;
  const endRecord = () => {
    fields.push(field);
    field = '';
    const blank = fields.length === 1 && fields[0].trim() === '' && !sawAny;
    if (!blank) records.push({ fields, line: startLine });
    fields = [];
    sawAny = false;
  };
  while (i < text.length) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        inQuotes = false; i++; continue;
      }
      if (ch === '\n') line++;
      field += ch; i++;
      continue;
    }
    if (ch === '"' && field.trim() === '') { inQuotes = true; quotedStart = line; field = ''; sawAny = true; i++; continue; }
    if (ch === delim) { fields.push(field); field = ''; sawAny = true; i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') { i++; continue; }
    if (ch === '\n' || ch === '\r') { endRecord(); line++; startLine = line; i++; continue; }
    field += ch; i++;
  }
  if (inQuotes) throw new CsvError(`unclosed quote starting on line ${quotedStart}`);
  if (field !== '' || fields.length > 0) endRecord();
  if (records.length === 0) throw new CsvError('the CSV is empty (no header line)');
  const header = records[0].fields.map((h) => h.trim());
  const seen = new Set<string>();
  header.forEach((h, k) => {
    if (h === '') throw new CsvError(`header field ${k + 1} is empty`);
    if (seen.has(h)) throw new CsvError(`column '${h}' appears twice in the header`);
    seen.add(h);
  });
  const rows: string[][] = [], lines: number[] = [];
  for (const r of records.slice(1)) {
    if (r.fields.length !== header.length) {
      throw new CsvError(`line ${r.line} has ${r.fields.length} field${r.fields.length === 1 ? '' : 's'}, the header has ${header.length}`);
    }
    rows.push(r.fields);
    lines.push(r.line);
  }
  const columns: Record<string, string[]> = {};
  header.forEach((h, k) => { columns[h] = rows.map((r) => r[k]); });
  return { header, rows, lines, columns };
}

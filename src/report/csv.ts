// Tidy CSV: one row per observation, one column per variable; numbers at full precision, text quoted as needed.
export function toCsv<T extends object>(rows: T[], columns: (keyof T & string)[]): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'Inf' : v < 0 ? '-Inf' : 'NaN';
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell((r as Record<string, unknown>)[c])).join(','))].join('\n') + '\n';
}

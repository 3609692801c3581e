// CSV as RFC 4180 (CRLF, quotes doubled, a field quoted when it holds a comma, quote, CR or LF), with
// the OWASP guard against formula injection: a text cell starting with = + - @ tab or CR gets a
// leading apostrophe, so a spreadsheet shows it as text instead of running it. Numbers stay numbers.
export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv<T extends object>(columns: readonly (keyof T & string)[], rows: readonly T[]): string {
  const lines = [columns.map((c) => csvCell(c)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c] as CsvValue)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

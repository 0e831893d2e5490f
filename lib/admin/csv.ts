/**
 * CSV as RFC 4180 writes it, safe to open in a spreadsheet. Pure.
 *
 * - Quoting: a cell holding a quote, a comma, a CR or an LF is quoted, its quotes doubled; rows end in CRLF.
 * - Formula injection (OWASP "CSV Injection"): a cell that begins with `=`, `+`, `-`, `@`, a tab or a CR would
 *   be run as a formula by Excel, LibreOffice or Google Sheets; it gets a leading `'`, which they show as text.
 *   The audit log holds text that users typed (names, reasons), so every cell goes through this.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(values: readonly (string | number | boolean | null | undefined)[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

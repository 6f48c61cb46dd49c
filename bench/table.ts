/**
 * The one table renderer of the CLI and the host suite: plain text aligned
 * in columns (stdout, `list`, the host figures) and GitHub-flavoured
 * markdown (summary.md, the host summary). Cells are strings already
 * formatted by the caller; the renderer only lays them out.
 */

/** A column: its header (none for headerless tables) and how its cells align. */
export interface TableColumn {
  header?: string;
  /** `right` for numbers; `left` by default. */
  align?: 'left' | 'right';
}

/** Options of {@link textTable}. */
export interface TextTableOptions {
  /** Put before every line (e.g. two spaces under a heading). */
  indent?: string;
  /** Between columns; two spaces by default. */
  gap?: string;
  /** A line of dashes under the header. */
  rule?: boolean;
}

/**
 * Lines of a plain-text table: every column as wide as its widest cell,
 * numbers right-aligned, no trailing spaces (so a last left-aligned column
 * stays ragged). The header row is shown when any column has a header.
 */
export function textTable(
  columns: readonly TableColumn[],
  rows: readonly (readonly string[])[],
  opts: TextTableOptions = {},
): string[] {
  const headed = columns.some((c) => c.header !== undefined);
  const all = headed ? [columns.map((c) => c.header ?? ''), ...rows] : rows;
  const widths = columns.map((_, i) => Math.max(0, ...all.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]) =>
    (opts.indent ?? '') +
    columns
      .map((c, i) =>
        c.align === 'right' ? (row[i] ?? '').padStart(widths[i]!) : (row[i] ?? '').padEnd(widths[i]!),
      )
      .join(opts.gap ?? '  ')
      .trimEnd();
  const out: string[] = [];
  if (headed) {
    out.push(line(all[0]!));
    if (opts.rule) out.push(line(widths.map((w) => '-'.repeat(w))));
  }
  for (const row of rows) out.push(line(row));
  return out;
}

/** Lines of a markdown table (`|` in cells escaped). */
export function markdownTable(
  columns: readonly TableColumn[],
  rows: readonly (readonly string[])[],
): string[] {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  return [
    `| ${columns.map((c) => cell(c.header ?? '')).join(' | ')} |`,
    `|${columns.map((c) => (c.align === 'right' ? ' ---: ' : ' :--- ')).join('|')}|`,
    ...rows.map((row) => `| ${columns.map((_, i) => cell(row[i] ?? '')).join(' | ')} |`),
  ];
}

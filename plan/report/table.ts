/** The one table layout of the plan's printed views: columns two spaces apart, text left, numbers right. */

/** Rows as aligned columns; columns in `left` are padded on the right (text), the others on the left (numbers). */
export function formatTable(rows: readonly (readonly string[])[], left: ReadonlySet<number> | "all" = "all"): string {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length)));
    const isLeft = (i: number) => left === "all" || left.has(i);
    return rows
        .map((row) =>
            row
                .map((cell, i) => (isLeft(i) ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
                .join("  ")
                .trimEnd(),
        )
        .join("\n");
}

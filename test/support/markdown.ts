/** Reads the flag tables of the README and docs/, to check them against the commands' own usage. */
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../../plan/stackConfig";

/**
 * The rows (first two cells, backticks removed) of the first Markdown table after the line that
 * reads exactly `line` in `file` (relative to the project root).
 */
export function tableAfter(file: string, line: string): { flag: string; effect: string }[] {
    const lines = readFileSync(path.join(projectRoot(), file), "utf8").split("\n");
    const at = lines.indexOf(line);
    assert.ok(at >= 0, `${file} has no line ${JSON.stringify(line)}`);
    const first = lines.findIndex((text, i) => i > at && text.startsWith("|"));
    assert.ok(first >= 0, `${file} has no table after ${JSON.stringify(line)}`);
    const end = lines.findIndex((text, i) => i > first && !text.startsWith("|"));
    // Past the header and its |---| line.
    return lines.slice(first + 2, end < 0 ? undefined : end).map((row) => {
        const [flag, effect] = row
            .slice(1, -1)
            .split(" | ")
            .map((cell) => cell.trim().replace(/`/g, ""));
        return { flag, effect };
    });
}

/**
 * `npm run docs:config`: writes the tables of config keys, made from the schemas
 * (config/docs.ts), into README.md and the docs pages, between their markers; `--check`
 * writes nothing and exits 1 when a file differs (the test does the same).
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { configTables, withTables } from "../config/docs";
import { projectRoot } from "../plan/stackConfig";

/** The files whose tables differ from the schemas', written unless `check`. */
export function writeConfigDocs(root: string, check: boolean): string[] {
    const tables = configTables();
    const stale: string[] = [];
    for (const file of [...new Set(tables.map((t) => t.file))]) {
        const at = path.join(root, file);
        const text = readFileSync(at, "utf8");
        const next = withTables(
            text,
            tables.filter((t) => t.file === file),
        );
        if (next === text) continue;
        stale.push(file);
        if (!check) writeFileSync(at, next);
    }
    return stale;
}

if (require.main === module) {
    const check = process.argv.includes("--check");
    const stale = writeConfigDocs(projectRoot(), check);
    for (const file of stale) process.stdout.write(`${check ? "differs from the schemas" : "wrote"}: ${file}\n`);
    process.exit(check && stale.length > 0 ? 1 : 0);
}

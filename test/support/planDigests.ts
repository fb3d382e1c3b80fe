/**
 * The pinned digest of every resource the prod and staging plans register
 * (test/fixtures/plan-digests.<stack>.txt): one line per URN with a digest of what the engine
 * would receive for it (type, parent, provider, options, dependencies and inputs, secrets
 * masked). A refactoring must leave the file unchanged; a deliberate change to the program
 * regenerates it with `npm run -s build && node .build/test/support/planDigests.js` and the diff
 * shows which resources changed.
 */
import "../../plan/env";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { planStack } from "../../plan/plan";
import { type RecordedResource } from "../../plan/runtime";
import { projectRoot, readStack } from "../../plan/stackConfig";

export const DIGEST_STACKS = ["prod", "staging"] as const;

export function digestFixture(stack: string): string {
    return path.join(projectRoot(), "test", "fixtures", `plan-digests.${stack}.txt`);
}

/** JSON with object keys sorted at every level, so that key order never changes a digest. */
function canonical(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
        return `{${entries
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
            .join(",")}}`;
    }
    return JSON.stringify(value);
}

/** `<digest> <urn>` per resource, sorted by URN. */
export function digestLines(resources: readonly RecordedResource[]): string[] {
    return resources
        .map((r) => {
            const engineView = {
                type: r.type,
                parent: r.parent,
                custom: r.custom,
                provider: r.provider,
                protect: r.protect,
                retainOnDelete: r.retainOnDelete,
                ignoreChanges: [...r.ignoreChanges].sort(),
                dependencies: [...r.dependencies].sort(),
                inputs: r.inputs,
            };
            return `${createHash("sha256").update(canonical(engineView)).digest("hex").slice(0, 16)} ${r.urn}`;
        })
        .sort((a, b) => (a.slice(17) < b.slice(17) ? -1 : 1));
}

if (require.main === module) {
    (async () => {
        for (const stack of DIGEST_STACKS) {
            const run = await planStack(readStack(projectRoot(), stack));
            writeFileSync(digestFixture(stack), `${digestLines(run.evaluation.resources).join("\n")}\n`);
            process.stdout.write(`wrote ${digestFixture(stack)}\n`);
        }
        process.exit(0);
    })().catch((err) => {
        process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
        process.exit(3);
    });
}

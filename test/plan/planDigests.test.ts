import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { readStack, projectRoot } from "../../plan/stackConfig";
import { planOf } from "../support/harness";
import { DIGEST_STACKS, digestFixture, digestLines } from "../support/planDigests";

/** Splits `<digest> <urn>` lines into a map from URN to digest. */
function byUrn(lines: readonly string[]): Map<string, string> {
    return new Map(lines.filter((l) => l.length > 0).map((l) => [l.slice(17), l.slice(0, 16)]));
}

describe("the registered resources, pinned", () => {
    for (const stack of DIGEST_STACKS) {
        it(`${stack}: every URN, with its inputs and options, is what test/fixtures/plan-digests.${stack}.txt pins`, async () => {
            const run = await planOf(readStack(projectRoot(), stack));
            const now = byUrn(digestLines(run.evaluation.resources));
            const pinned = byUrn(readFileSync(digestFixture(stack), "utf8").split("\n"));
            const added = [...now.keys()].filter((u) => !pinned.has(u));
            const removed = [...pinned.keys()].filter((u) => !now.has(u));
            const changed = [...now.keys()].filter((u) => pinned.has(u) && pinned.get(u) !== now.get(u));
            assert.deepEqual(
                { added, removed, changed },
                { added: [], removed: [], changed: [] },
                "a deliberate change regenerates the fixture: npm run -s build && node .build/test/support/planDigests.js",
            );
        });
    }
});

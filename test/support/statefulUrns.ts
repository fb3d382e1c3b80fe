/**
 * The pinned URN list of the prod stack's stateful resources (test/fixtures/stateful-urns.prod.txt).
 * Regenerate it, deliberately, with `npm run -s build && node .build/test/support/statefulUrns.js`
 * after giving any renamed stateful resource `aliases` (test/plan/lifecycle.test.ts).
 */
import "../../plan/env";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { type PlanRun, planStack } from "../../plan/plan";
import { projectRoot, readStack } from "../../plan/stackConfig";
import { isStateful } from "../../regions/stateful";

export const STATEFUL_URNS_FIXTURE = path.join(projectRoot(), "test", "fixtures", "stateful-urns.prod.txt");

/** The stateful URNs of a plan, sorted: the fixture's content. */
export function statefulUrns(run: PlanRun): string[] {
    return run.plan.resources
        .filter((r) => isStateful(r.type))
        .map((r) => r.urn)
        .sort();
}

if (require.main === module) {
    planStack(readStack(projectRoot(), "prod")).then(
        (run) => {
            writeFileSync(STATEFUL_URNS_FIXTURE, `${statefulUrns(run).join("\n")}\n`);
            process.stdout.write(`wrote ${STATEFUL_URNS_FIXTURE}\n`);
            process.exit(0);
        },
        (err) => {
            process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
            process.exit(3);
        },
    );
}

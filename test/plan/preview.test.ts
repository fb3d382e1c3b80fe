/**
 * `npm run plan -- --preview`: the program evaluated as a first `pulumi preview` sees it (every
 * resource new, its id and outputs unknown), with the same URNs as the plan, and the policy
 * pack run on those preview-shaped inputs as the engine runs it.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { type PlanRun, planStack } from "../../plan/plan";
import { knownEntry } from "../../plan/rules/known";
import { ENGINE_UNKNOWN, UNKNOWN } from "../../plan/runtime";
import { projectRoot, readStack } from "../../plan/stackConfig";
import { planOf } from "../support/harness";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const engineProxy = require("@pulumi/policy/proxy") as { unknownStringValue: string };

const CLI = path.join(projectRoot(), ".build", "plan", "cli.js");
const urns = (run: PlanRun) => run.plan.resources.map((r) => r.urn);
const previews = new Map<string, Promise<PlanRun>>();
const previewOf = (stack: string) => {
    if (!previews.has(stack)) previews.set(stack, planStack(readStack(projectRoot(), stack), { preview: true }));
    return previews.get(stack)!;
};

describe("plan --preview", function () {
    this.timeout(600_000);

    for (const stack of ["prod", "staging"]) {
        it(`registers the same URNs as the plan (${stack})`, async () => {
            const [plan, preview] = [await planOf(readStack(projectRoot(), stack)), await previewOf(stack)];
            assert.equal(preview.plan.preview, true);
            assert.equal(plan.plan.preview, false);
            assert.deepEqual(urns(preview), urns(plan));
        });
    }

    it("leaves the outputs of resources not created yet unknown, and inputs given as values known", async () => {
        const { plan, evaluation } = await previewOf("prod");
        const group = plan.resources.find((r) => r.urn.endsWith("NodeGroup::use1-nodes-a"))!;
        assert.equal(group.inputs.nodeRoleArn, UNKNOWN, "the node role's ARN comes from a role not created yet");
        assert.deepEqual(group.inputs.instanceTypes, ["m7i.xlarge", "m6i.xlarge"]);
        assert.equal(group.id, null, "no id before the create");
        const raw = evaluation.resources.find((r) => r.urn === group.urn)!;
        assert.equal(raw.rawInputs.nodeRoleArn, ENGINE_UNKNOWN, "the pack sees the engine's unknown value");
        assert.equal(ENGINE_UNKNOWN, engineProxy.unknownStringValue);
        assert.equal(plan.outputs.edgeOriginAuthToken, UNKNOWN);
    });

    it("runs the pack on preview-shaped inputs: no mandatory finding, and no policy left unable to run", async () => {
        const { plan } = await previewOf("prod");
        assert.deepEqual(
            plan.policy.violations.filter((v) => v.enforcementLevel === "mandatory"),
            [],
        );
        const blind = plan.policy.violations.filter((v) => v.message.startsWith("can't run"));
        assert.deepEqual(
            blind.filter((v) => !knownEntry("policy:can't run during preview", `${v.policy} ${v.urn}`)).map((v) => v.message),
            [],
        );
        // The pool's monitor and the replication group's subnet group are ids of resources not
        // created yet: the policies count an unknown id as set, so none is left undecided.
        assert.deepEqual(
            blind.map((v) => `${v.policy} ${v.urn!.split("::").pop()}`),
            [],
        );
        assert.deepEqual(plan.cloudRules.violations, []);
    });

    it("exits 0 on prod and staging from the command line", () => {
        for (const stack of ["prod", "staging"]) {
            const run = spawnSync(process.execPath, [CLI, "--preview", "--quiet", "--stack", stack, "--stacks", "none"], {
                cwd: projectRoot(),
                encoding: "utf8",
            });
            assert.equal(run.status, 0, `${stack}: ${run.stderr}`);
        }
    });
});

// The README's first deployment, step by step: each step's config, as the README shows it, is
// planned with the stack's pack config, and the plan exits 0; the exception it opens is refused
// once its date is past.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { exitCodeOf } from "../../plan/cli";
import { type PlanRun, planStack } from "../../plan/plan";
import { checkPolicies, hasBlockingViolation, readPackConfig } from "../../plan/policyRunner";
import { projectRoot } from "../../plan/stackConfig";
import { planOf, prodStack, withConfig } from "../support/harness";

/** The YAML blocks of README's first-deploy section, parsed. */
function readmeSteps(): Record<string, unknown>[] {
    const readme = readFileSync(path.join(projectRoot(), "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("<!-- first-deploy -->"), readme.indexOf("<!-- /first-deploy -->"));
    return [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => {
        const lines = m[1].split("\n");
        const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
        return parse(lines.map((l) => l.slice(indent)).join("\n")) as Record<string, unknown>;
    });
}

const DAY_MS = 86_400_000;
const dayOffset = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

describe("README's first deployment, step by step", () => {
    const steps = readmeSteps();
    const packConfig = readPackConfig(projectRoot(), "prod");
    /** The pack config, exceptions judged on `asOf`. */
    const judgedOn = (asOf: string) => ({ ...packConfig, "eks-1-endpoint-not-public": { asOf } });
    let step1: PlanRun;
    let until: string;
    before(async () => {
        assert.equal(steps.length, 1, "one config block: step 1's exception and tenants");
        const compute = steps[0]["platform:compute"] as { publicEndpoint: { until: string } };
        until = compute.publicEndpoint.until;
        step1 = await planStack(
            withConfig(prodStack(), { "platform:compute": compute, "platform:cloudflare": steps[0]["platform:cloudflare"] }),
            { packConfig: judgedOn(dayOffset(until, -14)) },
        );
    });

    it("step 2's targeted up names real URNs and each one's parents (an untargeted parent stops a targeted create)", () => {
        const readme = readFileSync(path.join(projectRoot(), "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("<!-- first-deploy -->"), readme.indexOf("<!-- /first-deploy -->"));
        const targets = [...section.matchAll(/--target '([^']+)'/g)].map((m) => m[1]);
        assert.ok(targets.length >= 2, targets.join(" "));
        const byUrn = new Map(step1.plan.resources.map((r) => [r.urn, r]));
        for (const urn of targets) {
            const resource = byUrn.get(urn);
            assert.ok(resource, `${urn} is in the plan`);
            for (
                let parent = resource.parent;
                parent !== null && byUrn.get(parent)?.type !== "pulumi:pulumi:Stack";
                parent = byUrn.get(parent)?.parent ?? null
            )
                assert.ok(targets.includes(parent), `${urn}: its parent ${parent} is targeted too`);
        }
    });

    it("step 1 lists no zone tenant: prod's first up references no stack that does not exist yet; the committed file (step 5) references staging", async () => {
        const cloudflare = steps[0]["platform:cloudflare"] as { zoneTenants: string[] };
        assert.deepEqual(cloudflare.zoneTenants, []);
        // A tenant's rules reach prod's zone rulesets only through its StackReference's outputs.
        const carriesStaging = (run: PlanRun) =>
            run.plan.resources
                .filter((r) => r.type === "cloudflare:index/ruleset:Ruleset")
                .some((r) => JSON.stringify(r.inputs).includes("api-staging.example.com"));
        assert.equal(carriesStaging(step1), false);
        assert.equal(carriesStaging(await planStack(prodStack())), true);
    });

    it("step 1 from the command line: `npm run plan -- --stacks none` exits 0; the cross-stack check would refuse it until step 5", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "first-deploy-"));
        try {
            const file = path.join(dir, "Pulumi.prod.yaml");
            const stackFile = parse(readFileSync(path.join(projectRoot(), "Pulumi.prod.yaml"), "utf8")) as {
                config: Record<string, unknown>;
            };
            // The command line judges the exception on today's date: the README's date, moved to two weeks ahead.
            const compute = steps[0]["platform:compute"] as { publicEndpoint: Record<string, unknown> };
            const ahead = {
                ...compute,
                publicEndpoint: { ...compute.publicEndpoint, until: dayOffset(new Date().toISOString().slice(0, 10), 14) },
            };
            writeFileSync(file, stringify({ ...stackFile, config: { ...stackFile.config, ...steps[0], "platform:compute": ahead } }));
            const cli = (extra: string[]) =>
                spawnSync(process.execPath, [path.join(projectRoot(), ".build", "plan", "cli.js"), "--quiet", "--config", file, ...extra], {
                    cwd: projectRoot(),
                    encoding: "utf8",
                });
            const skipped = cli(["--stacks", "none"]);
            assert.equal(skipped.status, 0, skipped.stderr);
            const checked = cli([]);
            assert.equal(checked.status, 2);
            assert.match(
                checked.stderr + checked.stdout,
                /staging names prod its zone's owner, but prod's platform:cloudflare\.zoneTenants does not list staging/,
            );
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("step 1 (a dated public-endpoint exception) plans with the pack, exit 0, every cluster open to the runner only", () => {
        assert.deepEqual(
            step1.plan.policy.violations.filter((v) => v.enforcementLevel === "mandatory"),
            [],
        );
        assert.equal(exitCodeOf(step1.plan), 0);
        const clusters = step1.plan.resources.filter((r) => r.type === "aws:eks/cluster:Cluster");
        assert.equal(clusters.length, 3);
        for (const c of clusters) {
            const vpc = c.inputs.vpcConfig as { endpointPublicAccess: boolean; publicAccessCidrs: string[] };
            assert.equal(vpc.endpointPublicAccess, true);
            assert.deepEqual(vpc.publicAccessCidrs, ["203.0.113.10/32"]);
            assert.equal((c.inputs.tags as Record<string, string>)["platform/public-endpoint-until"], until);
        }
    });

    it("flags the exception once left past its date: one mandatory finding per cluster", async () => {
        const late = await checkPolicies(step1.evaluation.resources, { config: judgedOn(dayOffset(until, 1)) });
        const eks1 = late.filter((v) => v.policy === "eks-1-endpoint-not-public");
        assert.equal(eks1.length, 3);
        assert.ok(eks1.every((v) => v.enforcementLevel === "mandatory" && v.message.includes(`ended on ${until}`)));
        assert.ok(hasBlockingViolation(late));
    });

    it("step 6 (the exception removed: Pulumi.prod.yaml as committed) plans with the pack, exit 0, endpoints private", async () => {
        const closed = await planOf(prodStack());
        assert.equal(exitCodeOf(closed.plan), 0);
        const clusters = closed.plan.resources.filter((r) => r.type === "aws:eks/cluster:Cluster");
        assert.ok(clusters.every((c) => (c.inputs.vpcConfig as { endpointPublicAccess: boolean }).endpointPublicAccess === false));
    });
});

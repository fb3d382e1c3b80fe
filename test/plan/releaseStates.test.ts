/**
 * Every state a release passes through plans clean: prod with the canary, then the canary and
 * the second wave, on a new image (and a cell one Kubernetes minor behind) exits 0, and differs
 * from prod only in the pinned cells' own resources.
 */
import * as assert from "node:assert/strict";
import { exitCodeOf } from "../../plan/cli";
import { type PlanRun } from "../../plan/plan";
import { checkTransitionRules } from "../../plan/rules";
import { planOf, prodStack, withConfig } from "../support/harness";

const NEW = `123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:${"b".repeat(64)}`;

function pinned(pins: Record<string, Record<string, string>>) {
    const prod = prodStack();
    const regions = (JSON.parse(prod.config["platform:regions"]) as { name: string }[]).map((entry) =>
        pins[entry.name] ? { ...entry, pins: pins[entry.name] } : entry,
    );
    return planOf(withConfig(prod, { "platform:regions": regions }));
}

/** URN → inputs JSON of the resources whose inputs differ between the two plans. */
function changed(a: PlanRun, b: PlanRun): string[] {
    const before = new Map(a.plan.resources.map((r) => [r.urn, JSON.stringify(r.inputs)]));
    assert.deepEqual(
        b.plan.resources.map((r) => r.urn),
        a.plan.resources.map((r) => r.urn),
    );
    return b.plan.resources.filter((r) => before.get(r.urn) !== JSON.stringify(r.inputs)).map((r) => r.name);
}

describe("the plan of a release's intermediate states", function () {
    this.timeout(300_000);

    it("prod with the canary (ap-southeast-1) on a new image exits 0; only its Deployment changes, to that image", async () => {
        const [prod, canary] = [await planOf(prodStack()), await pinned({ "ap-southeast-1": { image: NEW } })];
        assert.equal(
            exitCodeOf(canary.plan),
            0,
            JSON.stringify(canary.plan.policy.violations.filter((v) => v.enforcementLevel !== "advisory")),
        );
        assert.deepEqual(changed(prod, canary), ["apse1-api-deployment"]);
        const deployment = canary.plan.resources.find((r) => r.name === "apse1-api-deployment")!;
        // The cell pulls its own region's replica of the pinned digest.
        assert.equal((deployment.inputs as any).spec.template.spec.containers[0].image, NEW.replace(".us-east-1.", ".ap-southeast-1."));
    });

    it("prod with two cells ahead exits 0, and so does a cell one Kubernetes minor behind", async () => {
        const two = await pinned({ "ap-southeast-1": { image: NEW }, "eu-central-1": { image: NEW } });
        assert.equal(exitCodeOf(two.plan), 0);
        const minor = await pinned({ "ap-southeast-1": { kubernetesVersion: "1.35" } });
        assert.equal(
            exitCodeOf(minor.plan),
            0,
            JSON.stringify(minor.plan.policy.violations.filter((v) => v.enforcementLevel !== "advisory")),
        );
        const cluster = minor.plan.resources.find((r) => r.type === "aws:eks/cluster:Cluster" && r.name.startsWith("apse1"))!;
        assert.equal((cluster.inputs as any).version, "1.35");
    });

    it("prod with a secondary on a newer Aurora minor exits 0, breaks no cloud rule on the way there, and sends the pin to that member alone", async () => {
        const [prod, ahead] = [await planOf(prodStack()), await pinned({ "ap-southeast-1": { auroraEngineVersion: "16.10" } })];
        assert.equal(
            exitCodeOf(ahead.plan),
            0,
            JSON.stringify(ahead.plan.policy.violations.filter((v) => v.enforcementLevel !== "advisory")),
        );
        assert.deepEqual(ahead.plan.cloudRules.violations, []);
        assert.deepEqual(checkTransitionRules(prod.plan, ahead.plan).violations, [], "prod → the pinned state");
        const byName = (name: string) => ahead.plan.resources.find((r) => r.name === name)!;
        const member = byName("apse1-data-db-cluster");
        assert.equal((member.inputs as any).engineVersion, "16.10");
        assert.ok(!member.ignoreChanges.includes("engineVersion"), "the pin is sent: not ignored");
        // Its instances join at the pin and keep ignoring it: Aurora upgrades them with their cluster.
        const instance = byName("apse1-data-db-1");
        assert.equal((instance.inputs as any).engineVersion, "16.10");
        assert.deepEqual(instance.ignoreChanges, ["engineVersion"]);
        for (const other of ["use1-data-db-cluster", "euc1-data-db-cluster"]) {
            assert.equal((byName(other).inputs as any).engineVersion, "16.9", other);
            assert.ok(byName(other).ignoreChanges.includes("engineVersion"), `${other} follows the global cluster`);
        }
        const global = ahead.plan.resources.find((r) => r.type === "aws:rds/globalCluster:GlobalCluster")!;
        assert.equal((global.inputs as any).engineVersion, "16.9");
        // Only that cell's cluster and its instances (whose version stays ignored: they follow the cluster).
        assert.deepEqual(
            changed(prod, ahead).filter((name) => !/^apse1-data-db-(cluster|\d+)$/.test(name)),
            [],
        );
        // The primary, last, once every secondary runs the new minor: no cloud rule broken either.
        const secondaries = await pinned({
            "ap-southeast-1": { auroraEngineVersion: "16.10" },
            "eu-central-1": { auroraEngineVersion: "16.10" },
        });
        const all = await pinned({
            "ap-southeast-1": { auroraEngineVersion: "16.10" },
            "eu-central-1": { auroraEngineVersion: "16.10" },
            "us-east-1": { auroraEngineVersion: "16.10" },
        });
        assert.deepEqual(checkTransitionRules(secondaries.plan, all.plan).violations, []);
        // All three in one update: the primary would go first (its secondaries depend on it), so it is refused.
        assert.deepEqual(
            checkTransitionRules(prod.plan, all.plan).violations.map((v) => `${v.rule} ${v.urn.split("::").pop()}`),
            ["aurora-global-member-upgraded-alone use1-data-db-cluster"],
        );
    });

    it("refuses the primary pinned ahead of a secondary before any resource (a config error)", async () => {
        await assert.rejects(
            pinned({ "us-east-1": { auroraEngineVersion: "16.10" } }),
            /platform:regions\[0\]\.pins\.auroraEngineVersion: the primary us-east-1 would run Aurora 16\.10, ahead of the secondary eu-central-1 \(16\.9\), ap-southeast-1 \(16\.9\)/,
        );
    });
});

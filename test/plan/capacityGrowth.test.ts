// Growth is a config change the real APIs accept: with targetConcurrentUsers doubled, the
// comparison shows no managed node group changing (their size is fixed: an update can never
// send a minimum above a stale desired size, which EKS refuses), and every changed resource
// changes only inputs its API updates in place (the HPA's range, the NodePool's limits, ...).
import * as assert from "node:assert/strict";
import { compare } from "../../plan/compare";
import { type PlanRun, planStack } from "../../plan/plan";
import { planOf, prodStack, withConfig } from "../support/harness";

/** Inputs each type's API (or Kubernetes' server-side apply) updates in place, by top-level key. */
const IN_PLACE: Record<string, readonly string[]> = {
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": ["spec"],
    "kubernetes:karpenter.sh/v1:NodePool": ["spec"],
    "kubernetes:policy/v1:PodDisruptionBudget": ["spec"],
    // Online resharding of a cluster-mode replication group (ModifyReplicationGroupShardConfiguration);
    // terraform-provider-aws updates num_node_groups in place.
    "aws:elasticache/replicationGroup:ReplicationGroup": ["numNodeGroups"],
    // The failover plans' scale targets follow the capacity model; the Region switch API's
    // UpdatePlan takes the workflows (the plan's ARN is kept).
    "aws:arcregionswitch/plan:Plan": ["workflows"],
    // The warm capacity's placeholder count (a scale; the test below checks nothing else moves).
    "kubernetes:apps/v1:Deployment": ["spec"],
};
/**
 * Inputs whose change replaces a resource that holds nothing, and whose replacement is the point:
 * a writer guard's invocation runs again with the instances that stay (components/data/writerGuard.ts).
 */
const RERUN: Record<string, readonly string[]> = { "aws:lambda/invocation:Invocation": ["input"] };

describe("capacity growth (targetConcurrentUsers doubled)", () => {
    let before_: PlanRun;
    let after: PlanRun;
    before(async () => {
        before_ = await planOf(prodStack());
        const capacity = JSON.parse(prodStack().config["platform:capacity"]);
        after = await planStack(withConfig(prodStack(), { "platform:capacity": { ...capacity, targetConcurrentUsers: 50000 } }));
    });

    it("changes no managed node group and only inputs updated in place", () => {
        const diff = compare(before_.plan, after.plan);
        assert.deepEqual(diff.atRisk, []);
        assert.deepEqual(
            diff.changed.filter((c) => c.type === "aws:eks/nodeGroup:NodeGroup"),
            [],
        );
        const refused = diff.changed.filter(
            (c) => !c.keys.every((k) => [...(IN_PLACE[c.type] ?? []), ...(RERUN[c.type] ?? [])].includes(k)),
        );
        // Only the writer guards re-run, one per member whose reader count changes.
        assert.deepEqual(
            diff.changed
                .filter((c) => RERUN[c.type])
                .map((c) => c.urn.split("::").at(-1))
                .sort(),
            ["apse1-data-db-writer-guard-run", "euc1-data-db-writer-guard-run", "use1-data-db-writer-guard-run"],
        );
        assert.deepEqual(
            refused.map((c) => `${c.type} ${c.urn.split("::").at(-1)} (${c.keys.join(", ")})`),
            [],
        );
        assert.ok(
            diff.changed.some((c) => c.type === "kubernetes:karpenter.sh/v1:NodePool"),
            "the NodePool's limits grow",
        );
    });

    it("scales the warm placeholders and changes no other Deployment, nor their pod template", () => {
        const deployments = (run: PlanRun) =>
            new Map(
                run.plan.resources
                    .filter((r) => r.type === "kubernetes:apps/v1:Deployment")
                    .map((r) => [r.name, r.inputs.spec as Record<string, unknown>]),
            );
        const was = deployments(before_);
        const now = deployments(after);
        const moved = [...was].filter(([name, spec]) => JSON.stringify(spec) !== JSON.stringify(now.get(name)));
        assert.deepEqual(
            moved.map(([name]) => name),
            ["euc1-warm-deployment", "use1-warm-deployment"],
        );
        for (const [name, spec] of moved) {
            const { replicas: before, ...rest } = spec;
            const { replicas: grown, ...restNow } = now.get(name)!;
            assert.deepEqual(restNow, rest, `${name}: only replicas`);
            assert.ok((grown as number) > (before as number), `${name}: ${String(before)} → ${String(grown)}`);
        }
    });

    it("grows the NodePools' limits with the model's node count, never shrinking one", () => {
        const limits = (run: PlanRun) =>
            run.plan.resources
                .filter((r) => r.type === "kubernetes:karpenter.sh/v1:NodePool")
                .map((r) => [r.name, Number((r.inputs.spec as { limits: { cpu: string } }).limits.cpu)] as const);
        const grown = new Map(limits(after));
        const was = limits(before_);
        assert.equal(was.length, 3);
        for (const [name, cpu] of was) assert.ok(grown.get(name)! >= cpu, `${name}: ${cpu} → ${grown.get(name)}`);
        assert.ok(
            was.filter(([name, cpu]) => grown.get(name)! > cpu).length >= 2,
            was.map(([n, c]) => `${n} ${c} → ${grown.get(n)}`).join(", "),
        );
    });
});

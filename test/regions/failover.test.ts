import * as assert from "node:assert/strict";
import {
    PLAN_NAME_PATTERN,
    ceilingProblems,
    hpaCeilings,
    standbys,
    switchPlanName,
    switchPlanProblems,
    switchPlans,
} from "../../regions/failover";
import { parseRaw, prodRaw } from "../support/config";

const prod = () => parseRaw(prodRaw());
const summary = (stack = prod()) =>
    switchPlans("platform", "prod", stack.fleet, stack.config.capacity.usersPerPod).map((p) => [
        p.name,
        p.deactivating.region,
        p.activating.region,
        p.usersAfter,
        p.podsAfter,
        p.sourcePods,
        p.targetPercent,
        p.failbackPercent,
    ]);

describe("the failover model", () => {
    it("plans primary → each standby, scaled to the capacity model's load with the primary down", () => {
        // prod: use1 carries 11,250 users on 15 pods; with it down euc1 takes all 18,750 (its
        // worst case, 24 pods = 160 % of use1's 15), apse1 keeps its 6,250 (8 pods = 54 %).
        assert.deepEqual(summary(), [
            // Back: 15 of 24 is 63 %, bounded to 61 % so that 61 % of euc1's raised ceiling (39) stays within use1's 24.
            ["platform-prod-to-euc1", "us-east-1", "eu-central-1", 18750, 24, 15, 160, 61],
            ["platform-prod-to-apse1", "us-east-1", "ap-southeast-1", 6250, 8, 15, 54, 184],
        ]);
    });

    it("raises each HPA ceiling to what a plan may ask when ARC measures the 24-hour peak, not the floor", () => {
        const stack = prod();
        const plans = switchPlans("platform", "prod", stack.fleet, stack.config.capacity.usersPerPod);
        // 160 % of use1's ceiling of 24 is 39 (rounded up); 54 % of it is 13; the failback asks
        // The failback's percents are bounded (61 % of 39, 184 % of 13: at most 24), so use1 keeps its own.
        assert.deepEqual(
            plans.map((p) => [p.activating.region, p.arcCeiling]),
            [
                ["eu-central-1", 39],
                ["ap-southeast-1", 13],
            ],
        );
        assert.deepEqual(Object.fromEntries(hpaCeilings(plans, stack.fleet)), {
            "us-east-1": 24,
            "eu-central-1": 39,
            "ap-southeast-1": 13,
        });
        // Every target a plan computes from a sample at most the deactivating cell's ceiling fits the activating one's.
        const ceilings = hpaCeilings(plans, stack.fleet);
        for (const p of plans) {
            assert.ok(Math.ceil((p.targetPercent * ceilings.get(p.deactivating.region)!) / 100) <= ceilings.get(p.activating.region)!);
            assert.ok(Math.ceil((p.failbackPercent * ceilings.get(p.activating.region)!) / 100) <= ceilings.get(p.deactivating.region)!);
        }
        // A ceiling the nodes cannot hold is refused with the config, not capped (a capped one fails the scale step).
        const tight = { ...stack.fleet, capacity: { ...stack.fleet.capacity, maxPodsPerCell: 30 } };
        assert.deepEqual(ceilingProblems(plans, tight), [
            "the Region switch plan platform-prod-to-euc1 may ask 39 API pods of eu-central-1 (160 % of the most us-east-1 can run), above the 30 its nodes hold at capacity.maxNodesPerCell: raise maxNodesPerCell, or add a region so that each carries less",
        ]);
        assert.deepEqual(ceilingProblems(plans, stack.fleet), []);
        // One serving cell: no plan, the model's ceilings.
        const single = parseRaw(
            prodRaw((r) => {
                r.regions.splice(1, 2);
                r.capacity.regionFailuresTolerated = 0;
            }),
        );
        assert.deepEqual([...hpaCeilings([], single.fleet).values()], [single.fleet.cells[0].capacity.pods.max]);
    });

    it("follows the primary: after the move to eu-central-1 the plans start there", () => {
        const moved = parseRaw(
            prodRaw((r) => {
                r.regions[0].primary = false;
                r.regions[1].primary = true;
            }),
        );
        assert.deepEqual(summary(moved), [
            ["platform-prod-to-use1", "eu-central-1", "us-east-1", 18750, 24, 10, 240, 41],
            ["platform-prod-to-apse1", "eu-central-1", "ap-southeast-1", 6250, 8, 10, 80, 120],
        ]);
    });

    it("plans nothing for a drained standby, and nothing for a single serving cell", () => {
        const drained = parseRaw(
            prodRaw((r) => {
                r.regions[2].decommission = true;
            }),
        );
        assert.deepEqual(
            standbys(drained.fleet).map((c) => c.region),
            ["eu-central-1"],
        );
        const single = parseRaw(
            prodRaw((r) => {
                r.regions.splice(1, 2);
                r.capacity.regionFailuresTolerated = 0;
            }),
        );
        assert.deepEqual(switchPlans("platform", "prod", single.fleet, 800), []);
    });

    it("names plans within ARC's 32 characters and refuses a stack name that overflows them", () => {
        assert.equal(switchPlanName("platform", "prod", "apse1"), "platform-prod-to-apse1");
        assert.ok(PLAN_NAME_PATTERN.test("platform-prod-to-apse1"));
        assert.deepEqual(switchPlanProblems("platform", "prod", prod().fleet), []);
        assert.deepEqual(switchPlanProblems("platform", "staging-eu-feature", prod().fleet), [
            'Region switch plan name "platform-staging-eu-feature-to-euc1" (35 characters) is not 1–32 letters, digits and inner hyphens: use a shorter stack name',
            'Region switch plan name "platform-staging-eu-feature-to-apse1" (36 characters) is not 1–32 letters, digits and inner hyphens: use a shorter stack name',
        ]);
        assert.ok(!PLAN_NAME_PATTERN.test("platform-prod-to-"), "a trailing hyphen is refused");
    });
});

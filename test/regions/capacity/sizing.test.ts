import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { formatCapacityTable } from "../../../plan/report/capacityTable";
import { apportionUsers } from "../../../regions/capacity/routing";
import { type CapacityPlan } from "../../../regions/capacity/sizing";
import { CLOUDFLARE_REGIONS, catalogRegions } from "../../../regions/catalog";
import { steeringTable } from "../../../regions/steering";
import { cell } from "../../support/cells";
import { parseRaw, prodRaw } from "../../support/config";
import { type TestFleet, fleetOf, knobs, traffic } from "../../support/fleet";
import { planOf, prodStack } from "../../support/harness";

/** The capacity plan of a fleet that stays within its limits. */
function sized(input: TestFleet): CapacityPlan {
    const { fleet, problems } = fleetOf(input);
    assert.deepEqual(problems, []);
    return fleet.capacity;
}
/** Each cell's figures on one line: normal and worst-case users (and the failure behind the worst), pods, warm placeholders, nodes per AZ, readers, shards. */
const rows = (plan: CapacityPlan) =>
    Object.fromEntries(
        plan.cells.map((c) => [
            c.code,
            `users ${c.normalUsers}/${c.worstCaseUsers} when [${c.worstCaseFailure.join(", ")}] down, ` +
                `pods ${c.pods.min}/${c.pods.max} warm ${c.warmPods}, nodes/AZ ${c.nodesPerAz.min}/${c.nodesPerAz.max}, readers ${c.readers}, shards ${c.cacheShards}`,
        ]),
    );

describe("capacity: hand-computed plans", () => {
    it("one region: every user there, pods at least one per AZ", () => {
        // 10,000 users / 800 = 12.5 → 13 pods; 13 / 3 AZs → 5 per AZ → 1 node + 1 spare per AZ → 6 nodes
        // readers max(2, 10,000 / 5,000 = 2) = 2; shards max(3, 1) = 3
        const plan = sized({ cells: [cell("us-east-1", true)], capacity: knobs(), traffic: traffic({ ENAM: 1 }) });
        assert.deepEqual(rows(plan), { use1: "users 10000/10000 when [] down, pods 13/13 warm 0, nodes/AZ 2/2, readers 2, shards 3" });
        assert.equal(plan.failureSetsChecked, 1);
        // 100 users need 1 pod, but the floor is one pod per AZ
        const small = sized({
            cells: [cell("us-east-1", true)],
            capacity: knobs({ targetConcurrentUsers: 100 }),
            traffic: traffic({ ENAM: 1 }),
        });
        assert.deepEqual(small.cells[0].pods, { min: 3, max: 3 });
    });

    const three = [cell("us-east-1", true), cell("eu-central-1"), cell("ap-southeast-1")];
    it("three regions with even traffic and one tolerated failure", () => {
        // Steering (hand-checked in steering.test.ts): ENAM → use1, euc1, apse1; WEU → euc1, use1, apse1; SEAS → apse1, euc1, use1.
        // 30,000 users: 10,000 per Cloudflare region, so 10,000 per cell.
        // use1 down: ENAM → euc1 (20,000). euc1 down: WEU → use1 (20,000). apse1 down: SEAS → euc1 (20,000).
        // Worst: use1 20,000 (euc1 down); euc1 20,000 (use1 down: the first set that reaches it); apse1 10,000 (never gains).
        // Pods at 500/pod: min 20; max 40 / 40 / 20. Warm (100 % of the surge): 20 / 20 / 0.
        // Nodes: the minimum holds min + warm = 40 → 14 per AZ → 2 + 1 → 9 (apse1: 20 → 7 per AZ → 1 + 1 → 6);
        // the maximum 40 → 9.
        // Readers: ceil(20,000 / 5,000) = 4, 4, max(2, 2) = 2. Shards: max(3, 2) = 3.
        const plan = sized({
            cells: three,
            capacity: knobs({ targetConcurrentUsers: 30000, usersPerPod: 500, regionFailuresTolerated: 1 }),
            traffic: traffic({ ENAM: 1 / 3, WEU: 1 / 3, SEAS: 1 / 3 }),
        });
        assert.deepEqual(rows(plan), {
            use1: "users 10000/20000 when [eu-central-1] down, pods 20/40 warm 20, nodes/AZ 3/3, readers 4, shards 3",
            euc1: "users 10000/20000 when [us-east-1] down, pods 20/40 warm 20, nodes/AZ 3/3, readers 4, shards 3",
            apse1: "users 10000/10000 when [] down, pods 20/20 warm 0, nodes/AZ 2/2, readers 2, shards 3",
        });
        assert.equal(plan.failureSetsChecked, 4);
    });

    it("three regions with skewed traffic and one tolerated failure", () => {
        // 20,000 users: ENAM 60% = 12,000 → use1; WEU 30% = 6,000 → euc1; SEAS 10% = 2,000 → apse1.
        // use1 down: ENAM → euc1 = 18,000. euc1 down: WEU → use1 = 18,000. apse1 down: SEAS → euc1 = 8,000.
        // Pods at 500: use1 24 / 36; euc1 12 / 36; apse1 max(3, 4) = 4 / 4.
        // Nodes: 24 → 8 per AZ → 2 + 1 → 9; 36 → 12 per AZ → 2 + 1 → 9; 12 → 4 → 1 + 1 → 6; 4 → 2 → 6.
        // Readers: ceil(18,000 / 5,000) = 4; apse1 2. Shards: ceil(1.8) = 2 → 3.
        const plan = sized({
            cells: three,
            capacity: knobs({ targetConcurrentUsers: 20000, usersPerPod: 500, regionFailuresTolerated: 1 }),
            traffic: traffic({ ENAM: 0.6, WEU: 0.3, SEAS: 0.1 }),
        });
        assert.deepEqual(rows(plan), {
            use1: "users 12000/18000 when [eu-central-1] down, pods 24/36 warm 12, nodes/AZ 3/3, readers 4, shards 3",
            euc1: "users 6000/18000 when [us-east-1] down, pods 12/36 warm 24, nodes/AZ 3/3, readers 4, shards 3",
            apse1: "users 2000/2000 when [] down, pods 4/4 warm 0, nodes/AZ 2/2, readers 2, shards 3",
        });
    });

    it("three regions with two tolerated failures: each survivor alone carries everyone", () => {
        // Skewed traffic as above, 7 sets. Two down leaves one cell with all 20,000 users:
        // use1 alone when euc1 + apse1 are down, euc1 alone when use1 + apse1, apse1 alone when use1 + euc1.
        // Pods max 40 → 14 per AZ → 3 nodes per AZ → 9. Readers 4, shards 3.
        const plan = sized({
            cells: three,
            capacity: knobs({ targetConcurrentUsers: 20000, usersPerPod: 500, regionFailuresTolerated: 2 }),
            traffic: traffic({ ENAM: 0.6, WEU: 0.3, SEAS: 0.1 }),
        });
        assert.deepEqual(rows(plan), {
            use1: "users 12000/20000 when [eu-central-1, ap-southeast-1] down, pods 24/40 warm 16, nodes/AZ 3/3, readers 4, shards 3",
            euc1: "users 6000/20000 when [us-east-1, ap-southeast-1] down, pods 12/40 warm 28, nodes/AZ 3/3, readers 4, shards 3",
            apse1: "users 2000/20000 when [us-east-1, eu-central-1] down, pods 4/40 warm 36, nodes/AZ 3/3, readers 4, shards 3",
        });
        assert.equal(plan.failureSetsChecked, 7);
    });

    it("four regions, two tolerated failures: a cell with no normal load still absorbs failovers", () => {
        const cells = [cell("us-east-1", true), cell("us-west-2"), cell("eu-central-1"), cell("ap-southeast-1")];
        const table = steeringTable(cells);
        // The steering lists this case relies on (great-circle order):
        assert.deepEqual(table.WNAM, ["us-west-2", "us-east-1", "eu-central-1", "ap-southeast-1"]);
        assert.deepEqual(table.WEU, ["eu-central-1", "us-east-1", "us-west-2", "ap-southeast-1"]);
        // 10,000 users: WNAM 5,000 → usw2, WEU 5,000 → euc1; use1 and apse1 get nobody normally.
        // One down: usw2 → WNAM to use1 (5,000); euc1 → WEU to use1 (5,000).
        // Two down: {use1, usw2} → WNAM to euc1 (10,000); {use1, euc1} → WEU to usw2 (10,000);
        //           {usw2, euc1} → both to use1 (10,000). apse1 never gets anyone.
        // Pods at 500: use1 3 / 20, usw2 and euc1 10 / 20, apse1 3 / 3; warm 17, 10, 10, 0 (min + warm = 20).
        // Nodes: 20 → 7 per AZ → 1 + 1 → 6, at the minimum too.
        const plan = sized({
            cells,
            capacity: knobs({ usersPerPod: 500, regionFailuresTolerated: 2 }),
            traffic: traffic({ WNAM: 0.5, WEU: 0.5 }),
        });
        assert.deepEqual(rows(plan), {
            use1: "users 0/10000 when [us-west-2, eu-central-1] down, pods 3/20 warm 17, nodes/AZ 2/2, readers 2, shards 3",
            usw2: "users 5000/10000 when [us-east-1, eu-central-1] down, pods 10/20 warm 10, nodes/AZ 2/2, readers 2, shards 3",
            euc1: "users 5000/10000 when [us-east-1, us-west-2] down, pods 10/20 warm 10, nodes/AZ 2/2, readers 2, shards 3",
            apse1: "users 0/0 when [] down, pods 3/3 warm 0, nodes/AZ 2/2, readers 2, shards 3",
        });
        assert.equal(plan.failureSetsChecked, 11); // 1 + 4 + 6
    });

    it("sizes the prod stack (25,000 users, 800 per pod, one region down)", () => {
        // ENAM 7,500 + WNAM 3,750 → use1 11,250; WEU 5,000 + EEU 2,500 → euc1 7,500; SEAS, NEAS 2,500 + OC 1,250 → apse1 6,250.
        // use1 down → ENAM, WNAM to euc1: 18,750. euc1 down → WEU, EEU to use1: 18,750.
        // apse1 down → SEAS, NEAS to euc1 (12,500), OC to use1 (12,500): neither exceeds the worst above.
        // Pods: ceil(11,250 / 800) = 15, ceil(18,750 / 800) = 24; euc1 10 / 24; apse1 ceil(7.8) = 8 / 8.
        // Warm: use1 24 − 15 = 9, euc1 14, apse1 0; the minimum holds min + warm = 24 in use1 and euc1.
        // Nodes (7 pods per m7i.xlarge): 24 → 8 per AZ → 2 + 1 → 9; 8 → 3 per AZ → 6.
        const plan = parseRaw(prodRaw()).fleet.capacity;
        assert.deepEqual(rows(plan), {
            use1: "users 11250/18750 when [eu-central-1] down, pods 15/24 warm 9, nodes/AZ 3/3, readers 4, shards 3",
            euc1: "users 7500/18750 when [us-east-1] down, pods 10/24 warm 14, nodes/AZ 3/3, readers 4, shards 3",
            apse1: "users 6250/6250 when [] down, pods 8/8 warm 0, nodes/AZ 2/2, readers 2, shards 3",
        });
        assert.equal(plan.maxPodsPerCell, 672);
        assert.deepEqual(plan.node, {
            instanceType: "m7i.xlarge",
            allocatable: { cpuMillis: 3920, memoryMiB: 14162, pods: 58 },
            daemonSets: { cpuMillis: 400, memoryMiB: 600, pods: 8 },
            podRequests: { cpuMillis: 500, memoryMiB: 512 },
            podsPerNode: 7,
            limitedBy: "cpu",
        });
    });

    it("keeps the configured share of the surge warm, rounding up; 0 keeps none and the minimum nodes hold the minimum pods only", () => {
        // Prod's use1: surge 24 − 15 = 9 pods. 50 % → ceil(4.5) = 5 warm: 20 pods → 7 per AZ → 1 + 1 = 2 nodes per AZ.
        // 0 % → 0 warm: 15 pods → 5 per AZ → 2 nodes per AZ. The maximum (24 → 3 per AZ) never moves.
        const { config } = parseRaw(prodRaw());
        const at = (warmFailoverPercent: number) =>
            fleetOf({ cells: config.cells, capacity: { ...config.capacity, warmFailoverPercent }, traffic: config.traffic }).fleet.capacity
                .cells[0];
        assert.deepEqual([at(50).warmPods, at(50).nodesPerAz], [5, { min: 2, max: 3 }]);
        assert.deepEqual([at(0).warmPods, at(0).nodesPerAz], [0, { min: 2, max: 3 }]);
        assert.deepEqual([at(100).warmPods, at(100).nodesPerAz], [9, { min: 3, max: 3 }]);
    });

    it("takes the compute tier's sizing as input", () => {
        // m7i.2xlarge holds 15 pods: 24 pods → 8 per AZ → 1 + 1 → 6 nodes
        const { config } = parseRaw(prodRaw());
        const plan = fleetOf({ cells: config.cells, capacity: config.capacity, traffic: config.traffic }, { instanceType: "m7i.2xlarge" })
            .fleet.capacity;
        assert.equal(plan.node.podsPerNode, 15);
        assert.deepEqual(
            plan.cells.map((c) => c.nodesPerAz),
            [
                { min: 2, max: 2 },
                { min: 2, max: 2 },
                { min: 2, max: 2 },
            ],
        );
    });
});

describe("capacity: property over generated fleets", () => {
    const catalog = catalogRegions().map((r) => r.name);
    const fleet = fc
        .uniqueArray(fc.constantFrom(...catalog), { minLength: 1, maxLength: 6 })
        .chain((regions) =>
            fc.record({
                regions: fc.constant(regions),
                weights: fc
                    .array(fc.nat(100), { minLength: CLOUDFLARE_REGIONS.length, maxLength: CLOUDFLARE_REGIONS.length })
                    .filter((w) => w.some((x) => x > 0)),
                target: fc.integer({ min: 1, max: 200000 }),
                usersPerPod: fc.integer({ min: 1, max: 5000 }),
                tolerated: fc.integer({ min: 0, max: regions.length - 1 }),
            }),
        );

    it("for every tolerated failure set, survivors' maxReplicas × usersPerPod cover what is routed to them and the target", () => {
        fc.assert(
            fc.property(fleet, ({ regions, weights, target, usersPerPod, tolerated }) => {
                const total = weights.reduce((a, b) => a + b, 0);
                const shares = traffic(Object.fromEntries(CLOUDFLARE_REGIONS.map((r, i) => [r, weights[i] / total])));
                const input: TestFleet = {
                    cells: regions.map((r, i) => cell(r, i === 0)),
                    capacity: knobs({ targetConcurrentUsers: target, usersPerPod, regionFailuresTolerated: tolerated }),
                    traffic: shares,
                };
                const plan = fleetOf(input).fleet.capacity; // limits may be exceeded here; the sizing must still hold
                const users = apportionUsers(target, shares);
                assert.equal(
                    CLOUDFLARE_REGIONS.reduce((s, r) => s + users[r], 0),
                    target,
                );
                const table = steeringTable(input.cells);
                const byRegion = new Map(plan.cells.map((c) => [c.region, c]));
                let sets = 0;
                for (let mask = 0; mask < 1 << regions.length; mask++) {
                    const failed = regions.filter((_, i) => mask & (1 << i));
                    if (failed.length > tolerated) continue;
                    sets++;
                    const routed = new Map<string, number>();
                    for (const cf of CLOUDFLARE_REGIONS) {
                        const to = table[cf].find((r) => !failed.includes(r))!;
                        routed.set(to, (routed.get(to) ?? 0) + users[cf]);
                    }
                    let capacitySum = 0;
                    for (const region of regions.filter((r) => !failed.includes(r))) {
                        const c = byRegion.get(region)!;
                        assert.ok(
                            c.pods.max * usersPerPod >= (routed.get(region) ?? 0),
                            `${region} with ${failed.join("+") || "none"} down`,
                        );
                        assert.ok(
                            c.pods.min <= c.pods.max && c.pods.min >= 3 && c.nodesPerAz.min <= c.nodesPerAz.max && c.nodesPerAz.min >= 2,
                        );
                        capacitySum += c.pods.max * usersPerPod;
                    }
                    assert.ok(capacitySum >= target);
                }
                assert.equal(plan.failureSetsChecked, sets);
                assert.equal(
                    plan.cells.reduce((s, c) => s + c.normalUsers, 0),
                    target,
                );
            }),
            { numRuns: 300 },
        );
    });

    it("reports exactly the cells whose node groups would exceed maxNodesPerCell", () => {
        fc.assert(
            fc.property(
                fleet,
                fc.integer({ min: 6, max: 200 }),
                ({ regions, weights, target, usersPerPod, tolerated }, maxNodesPerCell) => {
                    const total = weights.reduce((a, b) => a + b, 0);
                    const shares = traffic(Object.fromEntries(CLOUDFLARE_REGIONS.map((r, i) => [r, weights[i] / total])));
                    const { fleet, problems } = fleetOf({
                        cells: regions.map((r, i) => cell(r, i === 0)),
                        capacity: knobs({
                            targetConcurrentUsers: target,
                            usersPerPod,
                            regionFailuresTolerated: tolerated,
                            maxNodesPerCell,
                        }),
                        traffic: shares,
                    });
                    const over = fleet.capacity.cells.filter((c) => c.nodesPerAz.max * c.azs > maxNodesPerCell).map((c) => c.code);
                    const reported = problems
                        .filter((p) => p.key === "capacity.maxNodesPerCell")
                        .map((p) => /^cell (\S+)/.exec(p.message)![1]);
                    assert.deepEqual(reported, over);
                },
            ),
            { numRuns: 300 },
        );
    });
});

describe("capacity: plan output", () => {
    it("formats the capacity table", () => {
        const plan = sized({
            cells: [cell("us-east-1", true), cell("eu-central-1"), cell("ap-southeast-1")],
            capacity: knobs({ targetConcurrentUsers: 20000, usersPerPod: 500, regionFailuresTolerated: 2 }),
            traffic: traffic({ ENAM: 0.6, WEU: 0.3, SEAS: 0.1 }),
        });
        assert.equal(
            formatCapacityTable(plan),
            [
                "Capacity: 20,000 concurrent users at 500 per pod, sized to carry them with 2 regions down (7 failure sets checked)",
                "Nodes: m7i.xlarge, 7 API pods each (requests 500m / 512 MiB, bound by cpu; allocatable 3,920m / 14,162 MiB / 58 pods, DaemonSets 400m / 600 MiB / 8 pods), one spare node per AZ, 100 % of each failover surge kept warm (placeholder pods on running nodes), at most 100 nodes (672 pods) per cell",
                "Data: 5,000 users per Aurora reader, 10,000 per cache shard (each cell's cache is its own)",
                "",
                // Warm = max − min: 16, 28, 36; the minimum then holds 40 pods → 14 per AZ → 2 + 1 → 9 nodes.
                "Region          Cell   Normal users  Worst-case users  Worst case when                     Pods min/max  Warm pods  Nodes min/max  Readers  Cache shards",
                "us-east-1       use1         12,000            20,000  eu-central-1 + ap-southeast-1 down         24/40         16            9/9        4             3",
                "eu-central-1    euc1          6,000            20,000  us-east-1 + ap-southeast-1 down            12/40         28            9/9        4             3",
                "ap-southeast-1  apse1         2,000            20,000  us-east-1 + eu-central-1 down               4/40         36            9/9        4             3",
                "Total                        20,000                                                              40/120         80          27/27       12             9",
            ].join("\n"),
        );
    });

    it("writes the prod stack's capacity into the plan JSON, for all three cells", async () => {
        const run = await planOf(prodStack());
        const json = JSON.parse(JSON.stringify(run.plan)) as { capacity: CapacityPlan };
        assert.deepEqual(json.capacity, JSON.parse(JSON.stringify(run.fleet.capacity)));
        assert.deepEqual(
            json.capacity.cells.map((c) => [
                c.code,
                c.normalUsers,
                c.worstCaseUsers,
                c.worstCaseFailure,
                c.pods,
                c.warmPods,
                c.nodesPerAz,
                c.readers,
                c.cacheShards,
            ]),
            [
                ["use1", 11250, 18750, ["eu-central-1"], { min: 15, max: 24 }, 9, { min: 3, max: 3 }, 4, 3],
                ["euc1", 7500, 18750, ["us-east-1"], { min: 10, max: 24 }, 14, { min: 3, max: 3 }, 4, 3],
                ["apse1", 6250, 6250, [], { min: 8, max: 8 }, 0, { min: 2, max: 2 }, 2, 3],
            ],
        );
        assert.equal(json.capacity.targetConcurrentUsers, 25000);
    });
});

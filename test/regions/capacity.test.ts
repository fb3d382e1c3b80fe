import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as fc from "fast-check";
import { stringify } from "yaml";
import { type CapacityConfig, ConfigError, namespaceValues, parseConfig } from "../../config/platform";
import { EXIT, main } from "../../plan/cli";
import { formatCapacityTable } from "../../plan/report/capacityTable";
import {
    type CapacityInput,
    type CapacityPlan,
    INSTANCE_TYPES,
    apportionUsers,
    capacityModel,
    cellCapacity,
    capacityProblems,
    failureSets,
    kubeReservedCpuMillis,
    kubeReservedMemoryMiB,
    maxPods,
    maxPodsFor,
    nodeAllocatable,
    nodesFor,
    planCapacity,
    podsPerNode,
} from "../../regions/capacity";
import { CLOUDFLARE_REGIONS, type CloudflareRegion, catalogRegions, requireRegion } from "../../regions/catalog";
import { steeringTable } from "../../regions/steering";
import { planOf, prodStack } from "../support/harness";

const cell = (name: string, primary = false) => {
    const c = requireRegion(name);
    return { region: c.name, code: c.code, primary, azs: c.azs, catalog: c, cidr: c.cidr };
};
const traffic = (shares: Partial<Record<CloudflareRegion, number>>): Record<CloudflareRegion, number> =>
    ({ ...Object.fromEntries(CLOUDFLARE_REGIONS.map((r) => [r, 0])), ...shares }) as Record<CloudflareRegion, number>;
const capacity = (over: Partial<CapacityConfig>): CapacityConfig => ({
    targetConcurrentUsers: 10000,
    usersPerPod: 800,
    regionFailuresTolerated: 0,
    maxNodesPerCell: 100,
    usersPerReader: 5000,
    usersPerCacheShard: 10000,
    ...over,
});
/** The per-cell figures without the region names, for compact assertions. */
const rows = (plan: CapacityPlan) =>
    Object.fromEntries(
        plan.cells.map((c) => [
            c.code,
            {
                normal: c.normalUsers,
                worst: c.worstCaseUsers,
                when: c.worstCaseFailure,
                pods: [c.pods.min, c.pods.max],
                nodes: [c.nodes.min, c.nodes.max],
                readers: c.readers,
                shards: c.cacheShards,
            },
        ]),
    );

/** The prod stack's raw `platform:` values with some replaced (undefined deletes). */
function prodRaw(over: Record<string, unknown> = {}): Record<string, unknown> {
    const raw = namespaceValues(prodStack().config);
    for (const [k, v] of Object.entries(over)) {
        if (v === undefined) delete raw[k];
        else raw[k] = v;
    }
    return raw;
}
const prodCapacity = (over: Record<string, unknown>) => ({
    targetConcurrentUsers: 25000,
    usersPerPod: 800,
    regionFailuresTolerated: 1,
    ...over,
});

function configErrorOf(fn: () => unknown): ConfigError {
    try {
        fn();
    } catch (err) {
        if (err instanceof ConfigError) return err;
        throw err;
    }
    assert.fail("expected a ConfigError");
}

describe("capacity: node sizing (EKS AMI formulas)", () => {
    it("reserves kube-reserved CPU 6% / 1% / 0.5% / 0.25% per core band", () => {
        assert.equal(kubeReservedCpuMillis(1), 60);
        assert.equal(kubeReservedCpuMillis(2), 70); // 60 + 10
        assert.equal(kubeReservedCpuMillis(4), 80); // 60 + 10 + 2 × 5
        assert.equal(kubeReservedCpuMillis(8), 90); // 80 + 4 × 2.5
        assert.equal(kubeReservedCpuMillis(16), 110); // 80 + 12 × 2.5
    });

    it("reserves 255 MiB + 11 MiB per pod slot, and 58 pod slots for the supported types (4 ENIs × 14 + 2)", () => {
        assert.equal(kubeReservedMemoryMiB(58), 893);
        assert.deepEqual(
            Object.values(INSTANCE_TYPES).map((t) => [t.name, maxPods(t)]),
            [
                ["m7i.xlarge", 58],
                ["m6i.xlarge", 58],
                ["m7i.2xlarge", 58],
                ["c7i.xlarge", 58],
                ["m7g.xlarge", 58],
                ["m6g.xlarge", 58],
            ],
        );
    });

    it("computes allocatable: capacity − 7.5% VM overhead − kube-reserved − 100 MiB eviction", () => {
        // m7i.xlarge: 4000 − 80 = 3920m; floor(16384 × 0.925) = 15155 − 893 − 100 = 14162 MiB
        assert.deepEqual(nodeAllocatable(INSTANCE_TYPES["m7i.xlarge"]), { cpuMillis: 3920, memoryMiB: 14162, pods: 58 });
        assert.deepEqual(nodeAllocatable(INSTANCE_TYPES["m6i.xlarge"]), { cpuMillis: 3920, memoryMiB: 14162, pods: 58 });
        // m7i.2xlarge: 8000 − 90 = 7910m; floor(32768 × 0.925) = 30310 − 993 = 29317 MiB
        assert.deepEqual(nodeAllocatable(INSTANCE_TYPES["m7i.2xlarge"]), { cpuMillis: 7910, memoryMiB: 29317, pods: 58 });
        // c7i.xlarge: floor(8192 × 0.925) = 7577 − 993 = 6584 MiB
        assert.deepEqual(nodeAllocatable(INSTANCE_TYPES["c7i.xlarge"]), { cpuMillis: 3920, memoryMiB: 6584, pods: 58 });
    });

    it("fits pods per node by the scarcest of CPU, memory and pod slots after the DaemonSets", () => {
        const ds = { cpuMillis: 400, memoryMiB: 600, pods: 8 };
        // (3920 − 400) / 500 = 7.04 → 7; (14162 − 600) / 512 = 26.5 → 26; 58 − 8 = 50
        assert.deepEqual(
            podsPerNode(nodeAllocatable(INSTANCE_TYPES["m7i.xlarge"]), { podCpuMillis: 500, podMemoryMiB: 512, daemonSets: ds }),
            { pods: 7, limitedBy: "cpu" },
        );
        // (7910 − 400) / 500 = 15.02 → 15
        assert.deepEqual(
            podsPerNode(nodeAllocatable(INSTANCE_TYPES["m7i.2xlarge"]), { podCpuMillis: 500, podMemoryMiB: 512, daemonSets: ds }),
            { pods: 15, limitedBy: "cpu" },
        );
        // c7i.xlarge, 250m / 2 GiB: CPU 14, memory (6584 − 600) / 2048 = 2.9 → 2
        assert.deepEqual(
            podsPerNode(nodeAllocatable(INSTANCE_TYPES["c7i.xlarge"]), { podCpuMillis: 250, podMemoryMiB: 2048, daemonSets: ds }),
            { pods: 2, limitedBy: "memory" },
        );
        // tiny pods: CPU 352, memory 847, slots 50
        assert.deepEqual(
            podsPerNode(nodeAllocatable(INSTANCE_TYPES["m7i.xlarge"]), { podCpuMillis: 10, podMemoryMiB: 16, daemonSets: ds }),
            { pods: 50, limitedBy: "pod slots" },
        );
    });

    it("spreads pods over the AZs and adds one spare node per AZ", () => {
        assert.equal(nodesFor(3, 3, 7), 6); // 1 pod per AZ → 1 node + 1 spare, × 3
        assert.equal(nodesFor(21, 3, 7), 6); // 7 per AZ fill one node
        assert.equal(nodesFor(22, 3, 7), 9); // 8 in one AZ → 2 nodes + 1 spare, × 3
        assert.equal(maxPodsFor(100, 3, 7), 672); // floor(100 / 3) = 33 per AZ, 32 working × 7 × 3
        assert.equal(maxPodsFor(6, 3, 7), 21);
        assert.equal(nodesFor(672, 3, 7), 99);
        assert.equal(nodesFor(673, 3, 7), 102);
    });
});

describe("capacity: users and failure sets", () => {
    it("splits the target into whole users that sum to it (largest remainder, ties in Cloudflare order)", () => {
        // 10 / 3 = 3.33 each: floors 3 + 3 + 3, the one left goes to ENAM (before WEU and SEAS in CLOUDFLARE_REGIONS)
        const thirds = apportionUsers(10, traffic({ ENAM: 1 / 3, WEU: 1 / 3, SEAS: 1 / 3 }));
        assert.deepEqual([thirds.ENAM, thirds.WEU, thirds.SEAS, thirds.WNAM], [4, 3, 3, 0]);
        // shares summing to 0.99 are normalised: 99 × 0.49 / 0.99 = 49, 99 × 0.50 / 0.99 = 50
        const near = apportionUsers(99, traffic({ ENAM: 0.49, WEU: 0.5 }));
        assert.deepEqual([near.ENAM, near.WEU], [49, 50]);
        assert.equal(
            Object.values(apportionUsers(7, traffic({}))).reduce((a, b) => a + b, 0),
            0,
        );
    });

    it("enumerates every failure set of up to k regions, fewest first, in config order", () => {
        assert.deepEqual(failureSets(["a", "b", "c"], 0), [[]]);
        assert.deepEqual(failureSets(["a", "b", "c"], 2), [[], ["a"], ["b"], ["c"], ["a", "b"], ["a", "c"], ["b", "c"]]);
        assert.equal(failureSets(["a", "b", "c", "d", "e"], 2).length, 16); // 1 + 5 + 10
        assert.equal(failureSets(["a", "b", "c", "d", "e"], 4).length, 31); // 2^5 − 1 (all but everything down)
    });
});

describe("capacity: hand-computed plans", () => {
    it("one region: every user there, pods at least one per AZ", () => {
        // 10,000 users / 800 = 12.5 → 13 pods; 13 / 3 AZs → 5 per AZ → 1 node + 1 spare per AZ → 6 nodes
        // readers max(2, 10,000 / 5,000 = 2) = 2; shards max(3, 1) = 3
        const plan = capacityModel({ cells: [cell("us-east-1", true)], capacity: capacity({}), traffic: traffic({ ENAM: 1 }) });
        assert.deepEqual(rows(plan), {
            use1: { normal: 10000, worst: 10000, when: [], pods: [13, 13], nodes: [6, 6], readers: 2, shards: 3 },
        });
        assert.equal(plan.failureSetsChecked, 1);
        // 100 users need 1 pod, but the floor is one pod per AZ
        const small = capacityModel({
            cells: [cell("us-east-1", true)],
            capacity: capacity({ targetConcurrentUsers: 100 }),
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
        // Pods at 500/pod: min 20; max 40 / 40 / 20. Nodes: 20 → 7 per AZ → 1 + 1 → 6; 40 → 14 per AZ → 2 + 1 → 9.
        // Readers: ceil(20,000 / 5,000) = 4, 4, max(2, 2) = 2. Shards: max(3, 2) = 3.
        const plan = capacityModel({
            cells: three,
            capacity: capacity({ targetConcurrentUsers: 30000, usersPerPod: 500, regionFailuresTolerated: 1 }),
            traffic: traffic({ ENAM: 1 / 3, WEU: 1 / 3, SEAS: 1 / 3 }),
        });
        assert.deepEqual(rows(plan), {
            use1: { normal: 10000, worst: 20000, when: ["eu-central-1"], pods: [20, 40], nodes: [6, 9], readers: 4, shards: 3 },
            euc1: { normal: 10000, worst: 20000, when: ["us-east-1"], pods: [20, 40], nodes: [6, 9], readers: 4, shards: 3 },
            apse1: { normal: 10000, worst: 10000, when: [], pods: [20, 20], nodes: [6, 6], readers: 2, shards: 3 },
        });
        assert.equal(plan.failureSetsChecked, 4);
    });

    it("three regions with skewed traffic and one tolerated failure", () => {
        // 20,000 users: ENAM 60% = 12,000 → use1; WEU 30% = 6,000 → euc1; SEAS 10% = 2,000 → apse1.
        // use1 down: ENAM → euc1 = 18,000. euc1 down: WEU → use1 = 18,000. apse1 down: SEAS → euc1 = 8,000.
        // Pods at 500: use1 24 / 36; euc1 12 / 36; apse1 max(3, 4) = 4 / 4.
        // Nodes: 24 → 8 per AZ → 2 + 1 → 9; 36 → 12 per AZ → 2 + 1 → 9; 12 → 4 → 1 + 1 → 6; 4 → 2 → 6.
        // Readers: ceil(18,000 / 5,000) = 4; apse1 2. Shards: ceil(1.8) = 2 → 3.
        const plan = capacityModel({
            cells: three,
            capacity: capacity({ targetConcurrentUsers: 20000, usersPerPod: 500, regionFailuresTolerated: 1 }),
            traffic: traffic({ ENAM: 0.6, WEU: 0.3, SEAS: 0.1 }),
        });
        assert.deepEqual(rows(plan), {
            use1: { normal: 12000, worst: 18000, when: ["eu-central-1"], pods: [24, 36], nodes: [9, 9], readers: 4, shards: 3 },
            euc1: { normal: 6000, worst: 18000, when: ["us-east-1"], pods: [12, 36], nodes: [6, 9], readers: 4, shards: 3 },
            apse1: { normal: 2000, worst: 2000, when: [], pods: [4, 4], nodes: [6, 6], readers: 2, shards: 3 },
        });
    });

    it("three regions with two tolerated failures: each survivor alone carries everyone", () => {
        // Skewed traffic as above, 7 sets. Two down leaves one cell with all 20,000 users:
        // use1 alone when euc1 + apse1 are down, euc1 alone when use1 + apse1, apse1 alone when use1 + euc1.
        // Pods max 40 → 14 per AZ → 3 nodes per AZ → 9. Readers 4, shards 3.
        const plan = capacityModel({
            cells: three,
            capacity: capacity({ targetConcurrentUsers: 20000, usersPerPod: 500, regionFailuresTolerated: 2 }),
            traffic: traffic({ ENAM: 0.6, WEU: 0.3, SEAS: 0.1 }),
        });
        assert.deepEqual(rows(plan), {
            use1: {
                normal: 12000,
                worst: 20000,
                when: ["eu-central-1", "ap-southeast-1"],
                pods: [24, 40],
                nodes: [9, 9],
                readers: 4,
                shards: 3,
            },
            euc1: {
                normal: 6000,
                worst: 20000,
                when: ["us-east-1", "ap-southeast-1"],
                pods: [12, 40],
                nodes: [6, 9],
                readers: 4,
                shards: 3,
            },
            apse1: { normal: 2000, worst: 20000, when: ["us-east-1", "eu-central-1"], pods: [4, 40], nodes: [6, 9], readers: 4, shards: 3 },
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
        // Pods at 500: use1 3 / 20, usw2 and euc1 10 / 20, apse1 3 / 3. Nodes: 20 → 7 per AZ → 6.
        const plan = capacityModel({
            cells,
            capacity: capacity({ usersPerPod: 500, regionFailuresTolerated: 2 }),
            traffic: traffic({ WNAM: 0.5, WEU: 0.5 }),
        });
        assert.deepEqual(rows(plan), {
            use1: { normal: 0, worst: 10000, when: ["us-west-2", "eu-central-1"], pods: [3, 20], nodes: [6, 6], readers: 2, shards: 3 },
            usw2: { normal: 5000, worst: 10000, when: ["us-east-1", "eu-central-1"], pods: [10, 20], nodes: [6, 6], readers: 2, shards: 3 },
            euc1: { normal: 5000, worst: 10000, when: ["us-east-1", "us-west-2"], pods: [10, 20], nodes: [6, 6], readers: 2, shards: 3 },
            apse1: { normal: 0, worst: 0, when: [], pods: [3, 3], nodes: [6, 6], readers: 2, shards: 3 },
        });
        assert.equal(plan.failureSetsChecked, 11); // 1 + 4 + 6
    });

    it("sizes the prod stack (25,000 users, 800 per pod, one region down)", () => {
        // ENAM 7,500 + WNAM 3,750 → use1 11,250; WEU 5,000 + EEU 2,500 → euc1 7,500; SEAS, NEAS 2,500 + OC 1,250 → apse1 6,250.
        // use1 down → ENAM, WNAM to euc1: 18,750. euc1 down → WEU, EEU to use1: 18,750.
        // apse1 down → SEAS, NEAS to euc1 (12,500), OC to use1 (12,500): neither exceeds the worst above.
        // Pods: ceil(11,250 / 800) = 15, ceil(18,750 / 800) = 24; euc1 10 / 24; apse1 ceil(7.8) = 8 / 8.
        // Nodes (7 pods per m7i.xlarge): 15 → 5 per AZ → 6; 24 → 8 per AZ → 2 + 1 → 9; 8 → 3 per AZ → 6.
        const plan = capacityModel(parseConfig(namespaceValues(prodStack().config), "us-east-1"));
        assert.deepEqual(rows(plan), {
            use1: { normal: 11250, worst: 18750, when: ["eu-central-1"], pods: [15, 24], nodes: [6, 9], readers: 4, shards: 3 },
            euc1: { normal: 7500, worst: 18750, when: ["us-east-1"], pods: [10, 24], nodes: [6, 9], readers: 4, shards: 3 },
            apse1: { normal: 6250, worst: 6250, when: [], pods: [8, 8], nodes: [6, 6], readers: 2, shards: 3 },
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

    it("looks a cell's figures up by region", () => {
        const plan = capacityModel(parseConfig(prodRaw(), "us-east-1"));
        assert.equal(cellCapacity(plan, "eu-central-1").code, "euc1");
        assert.throws(
            () => cellCapacity(plan, "us-west-2"),
            /^Error: the capacity plan has no cell in us-west-2; it has us-east-1, eu-central-1, ap-southeast-1$/,
        );
    });

    it("takes the compute tier's sizing as input", () => {
        // m7i.2xlarge holds 15 pods: 24 pods → 8 per AZ → 1 + 1 → 6 nodes
        const plan = capacityModel(parseConfig(namespaceValues(prodStack().config), "us-east-1"), { instanceType: "m7i.2xlarge" });
        assert.equal(plan.node.podsPerNode, 15);
        assert.deepEqual(
            plan.cells.map((c) => c.nodes),
            [
                { min: 6, max: 6 },
                { min: 6, max: 6 },
                { min: 6, max: 6 },
            ],
        );
    });
});

describe("capacity: a fleet that cannot carry the target", () => {
    it("names the cell, the failure and the shortfall when a cell needs more than maxNodesPerCell", () => {
        // 6 nodes hold 21 pods (1 working node per AZ × 7 × 3) = 16,800 users; use1 and euc1 need 18,750.
        const err = configErrorOf(() => parseConfig(prodRaw({ capacity: prodCapacity({ maxNodesPerCell: 6 }) }), "us-east-1"));
        assert.deepEqual(
            err.problems.map((p) => `${p.path}: ${p.message}`),
            [
                "platform:capacity.maxNodesPerCell: cell use1 (us-east-1) must carry 18,750 users when eu-central-1 is down, which needs 24 pods on 9 nodes; " +
                    "at most 6 nodes hold 21 pods (16,800 users at 800 per pod, 7 pods per m7i.xlarge): short by 1,950 users. " +
                    "Raise maxNodesPerCell to 9, raise usersPerPod, lower targetConcurrentUsers or add regions",
                "platform:capacity.maxNodesPerCell: cell euc1 (eu-central-1) must carry 18,750 users when us-east-1 is down, which needs 24 pods on 9 nodes; " +
                    "at most 6 nodes hold 21 pods (16,800 users at 800 per pod, 7 pods per m7i.xlarge): short by 1,950 users. " +
                    "Raise maxNodesPerCell to 9, raise usersPerPod, lower targetConcurrentUsers or add regions",
            ],
        );
        assert.match(err.message, /^Invalid stack config \(2 problems\):\n- platform:capacity\.maxNodesPerCell: cell use1/);
    });

    it("names two failed regions in the message", () => {
        // Three cells, two down: the survivor carries 25,000 users = 32 pods > 21.
        const problems = capacityProblems({
            cells: [cell("us-east-1", true), cell("eu-central-1"), cell("ap-southeast-1")],
            capacity: capacity({ targetConcurrentUsers: 25000, regionFailuresTolerated: 2, maxNodesPerCell: 6 }),
            traffic: traffic({ ENAM: 1 }),
        });
        // ENAM → use1, euc1, apse1: use1 carries everyone normally, euc1 once use1 is down, apse1 once both are.
        // 25,000 / 800 → 32 pods → 11 per AZ → 2 + 1 nodes per AZ → 9 nodes; 6 nodes hold 21 pods = 16,800 users.
        assert.deepEqual(
            problems.map(
                (p) =>
                    /^cell \S+ \(\S+\) must carry 25,000 users (.*), which needs 32 pods on 9 nodes; .* short by 8,200 users\./.exec(
                        p.message,
                    )?.[1],
            ),
            ["with every region up", "when us-east-1 is down", "when us-east-1 and eu-central-1 are down"],
        );
    });

    it("reports too many Aurora readers against the global database limits", () => {
        // 1,000 users per reader: use1 needs 19 > 15 − 2 secondaries = 13; euc1 needs 19 > 16; apse1 7 fits.
        const err = configErrorOf(() => parseConfig(prodRaw({ capacity: prodCapacity({ usersPerReader: 1000 }) }), "us-east-1"));
        assert.deepEqual(
            err.problems.map((p) => `${p.path}: ${p.message}`),
            [
                "platform:capacity.usersPerReader: cell use1 (us-east-1) must carry 18,750 users when eu-central-1 is down, which needs 19 Aurora readers at 1,000 users per reader; " +
                    "the primary cluster of a global database with 2 secondary region(s) holds at most 13: short by 6 readers (5,750 users). Raise usersPerReader (a larger reader class) or add regions",
                "platform:capacity.usersPerReader: cell euc1 (eu-central-1) must carry 18,750 users when us-east-1 is down, which needs 19 Aurora readers at 1,000 users per reader; " +
                    "a secondary cluster of a global database holds at most 16: short by 3 readers (2,750 users). Raise usersPerReader (a larger reader class) or add regions",
            ],
        );
    });

    it("reports a cell whose nodes at their maximum would exhaust the private subnets' addresses", () => {
        // 35,000 users / 100 = 350 pods → 117 per AZ → ceil(117 / 7) = 17 + 1 spare = 18 nodes per AZ, 54 in all.
        // 18 × 60 addresses = 1,080 per AZ; a /20 VPC has /22 private subnets: 1,024 − 5 = 1,019 usable.
        const small = { ...cell("us-east-1", true), cidr: "10.100.0.0/20" };
        const input = (cidr: string) => ({
            cells: [{ ...small, cidr }],
            capacity: capacity({ targetConcurrentUsers: 35000, usersPerPod: 100 }),
            traffic: traffic({ ENAM: 1 }),
        });
        assert.deepEqual(capacityProblems(input("10.100.0.0/20")), [
            {
                path: "platform:regions[0].cidr",
                message:
                    "cell use1 (us-east-1) grows to 54 nodes (18 per AZ) with every region up; each m7i.xlarge node may hold 60 VPC addresses (4 ENIs × 15), 1,080 per AZ, " +
                    "but the private subnets of 10.100.0.0/20 are /22 with 1,019 usable addresses: short by 61. Give the region a larger CIDR (a /16 has /18 subnets of 16,379 addresses), raise usersPerPod or add regions",
            },
        ]);
        assert.deepEqual(capacityProblems(input("10.10.0.0/16")), []);
        // 29,000 users → 290 pods → 97 per AZ → 14 + 1 = 15 nodes per AZ → 900 addresses: fits.
        assert.deepEqual(
            capacityProblems({ ...input("10.100.0.0/20"), capacity: capacity({ targetConcurrentUsers: 29000, usersPerPod: 100 }) }),
            [],
        );
    });

    it("refuses tolerated failures that leave no region, in the config and in the model", () => {
        const err = configErrorOf(() => parseConfig(prodRaw({ capacity: prodCapacity({ regionFailuresTolerated: 3 }) }), "us-east-1"));
        assert.deepEqual(err.problems, [
            {
                path: "platform:capacity.regionFailuresTolerated",
                message: "3 leaves no region to serve users: the stack lists 3 region(s); tolerate at most 2 or add regions",
            },
        ]);
        const direct = configErrorOf(() =>
            capacityModel({
                cells: [cell("us-east-1", true)],
                capacity: capacity({ regionFailuresTolerated: 1 }),
                traffic: traffic({ ENAM: 1 }),
            }),
        );
        assert.equal(
            direct.message,
            "Invalid stack config (1 problem):\n- platform:capacity.regionFailuresTolerated: 1 leaves no region to serve users: the stack lists 1 region(s); tolerate at most 0 or add regions",
        );
    });

    it("refuses traffic that places no user", () => {
        const err = configErrorOf(() => parseConfig(prodRaw({ traffic: {} }), "us-east-1"));
        assert.deepEqual(
            err.problems.map((p) => p.path),
            ["platform:traffic"],
        );
        assert.match(err.problems[0].message, /^gives no Cloudflare region a share above 0/);
    });

    it("refuses an instance type it does not know and a pod that fits no node", () => {
        const config = parseConfig(prodRaw(), "us-east-1");
        assert.deepEqual(capacityProblems(config, { instanceType: "t3.micro" }), [
            {
                path: "platform:compute.instanceType",
                message:
                    '"t3.micro" is not an instance type the capacity model knows; use one of m7i.xlarge, m6i.xlarge, m7i.2xlarge, c7i.xlarge, m7g.xlarge, m6g.xlarge (or add it to INSTANCE_TYPES in regions/capacity.ts)',
            },
        ]);
        assert.deepEqual(capacityProblems(config, { podCpuMillis: 4000, configPath: "platform:compute.api" }), [
            {
                path: "platform:compute.api",
                message:
                    "an API pod requesting 4000m CPU and 512 MiB does not fit a m7i.xlarge node (3520m CPU, 13562 MiB, 50 pod slots left after the DaemonSets; short of cpu); use a larger instance type or smaller requests",
            },
        ]);
    });

    it("makes the plan exit 2 before anything is declared", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "capacity-"));
        const file = path.join(dir, "Pulumi.tight.yaml");
        const config: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(namespaceValues(prodStack().config))) config[`platform:${k}`] = v;
        config["aws:region"] = "us-east-1";
        config["platform:capacity"] = prodCapacity({ maxNodesPerCell: 6 });
        writeFileSync(file, stringify({ config }));
        const errors: string[] = [];
        const write = process.stderr.write;
        process.stderr.write = ((chunk: string) => errors.push(chunk) > 0) as typeof process.stderr.write;
        try {
            assert.equal(await main(["--config", file, "--quiet"]), EXIT.config);
        } finally {
            process.stderr.write = write;
            rmSync(dir, { recursive: true, force: true });
        }
        assert.match(
            errors.join(""),
            /^Invalid stack config \(2 problems\):\n- platform:capacity\.maxNodesPerCell: cell use1 \(us-east-1\) must carry 18,750 users when eu-central-1 is down/,
        );
    });
});

describe("capacity: config keys", () => {
    it("defaults maxNodesPerCell 100, usersPerReader 5,000, usersPerCacheShard 10,000", () => {
        const { capacity: c } = parseConfig(prodRaw(), "us-east-1");
        assert.deepEqual(c, {
            targetConcurrentUsers: 25000,
            usersPerPod: 800,
            regionFailuresTolerated: 1,
            maxNodesPerCell: 100,
            usersPerReader: 5000,
            usersPerCacheShard: 10000,
        });
        const set = parseConfig(
            prodRaw({ capacity: prodCapacity({ maxNodesPerCell: 60, usersPerReader: 4000, usersPerCacheShard: 8000 }) }),
            "us-east-1",
        ).capacity;
        assert.deepEqual([set.maxNodesPerCell, set.usersPerReader, set.usersPerCacheShard], [60, 4000, 8000]);
    });

    it("reports each bad value with its path", () => {
        const err = configErrorOf(() =>
            parseConfig(
                prodRaw({
                    capacity: prodCapacity({ maxNodesPerCell: 5, usersPerReader: 0, usersPerCacheShard: "many", maxPodsPerCell: 3 }),
                }),
                "us-east-1",
            ),
        );
        assert.deepEqual(
            err.problems.map((p) => `${p.path}: ${p.message}`),
            [
                "platform:capacity.maxPodsPerCell: is not a known setting; known settings here: targetConcurrentUsers, usersPerPod, regionFailuresTolerated, maxNodesPerCell, usersPerReader, usersPerCacheShard",
                "platform:capacity.maxNodesPerCell: 5 is out of range; expected an integer ≥ 6",
                "platform:capacity.usersPerReader: 0 is out of range; expected an integer ≥ 1",
                'platform:capacity.usersPerCacheShard: "many" is not an integer; expected an integer ≥ 1',
            ],
        );
        const fractional = configErrorOf(() => parseConfig(prodRaw({ capacity: prodCapacity({ maxNodesPerCell: 50.5 }) }), "us-east-1"));
        assert.deepEqual(
            fractional.problems.map((p) => p.path),
            ["platform:capacity.maxNodesPerCell"],
        );
    });
});

describe("capacity: property over generated fleets", () => {
    const catalog = catalogRegions().map((r) => r.name);
    const fleet = fc.uniqueArray(fc.constantFrom(...catalog), { minLength: 1, maxLength: 6 }).chain((regions) =>
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
                const input: CapacityInput = {
                    cells: regions.map((r, i) => cell(r, i === 0)),
                    capacity: capacity({ targetConcurrentUsers: target, usersPerPod, regionFailuresTolerated: tolerated }),
                    traffic: shares,
                };
                const { plan } = planCapacity(input); // limits may be exceeded here; the sizing must still hold
                assert.ok(plan);
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
                        assert.ok(c.pods.min <= c.pods.max && c.pods.min >= 3 && c.nodes.min <= c.nodes.max && c.nodes.min >= 6);
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

    it("reports exactly the cells whose node group would exceed maxNodesPerCell", () => {
        fc.assert(
            fc.property(
                fleet,
                fc.integer({ min: 6, max: 200 }),
                ({ regions, weights, target, usersPerPod, tolerated }, maxNodesPerCell) => {
                    const total = weights.reduce((a, b) => a + b, 0);
                    const shares = traffic(Object.fromEntries(CLOUDFLARE_REGIONS.map((r, i) => [r, weights[i] / total])));
                    const { plan, problems } = planCapacity({
                        cells: regions.map((r, i) => cell(r, i === 0)),
                        capacity: capacity({
                            targetConcurrentUsers: target,
                            usersPerPod,
                            regionFailuresTolerated: tolerated,
                            maxNodesPerCell,
                        }),
                        traffic: shares,
                    });
                    const over = plan!.cells.filter((c) => c.nodes.max > maxNodesPerCell).map((c) => c.code);
                    const reported = problems
                        .filter((p) => p.path === "platform:capacity.maxNodesPerCell")
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
        const plan = capacityModel({
            cells: [cell("us-east-1", true), cell("eu-central-1"), cell("ap-southeast-1")],
            capacity: capacity({ targetConcurrentUsers: 20000, usersPerPod: 500, regionFailuresTolerated: 2 }),
            traffic: traffic({ ENAM: 0.6, WEU: 0.3, SEAS: 0.1 }),
        });
        assert.equal(
            formatCapacityTable(plan),
            [
                "Capacity: 20,000 concurrent users at 500 per pod, sized to carry them with 2 regions down (7 failure sets checked)",
                "Nodes: m7i.xlarge, 7 API pods each (requests 500m / 512 MiB, bound by cpu; allocatable 3,920m / 14,162 MiB / 58 pods, DaemonSets 400m / 600 MiB / 8 pods), one spare node per AZ, at most 100 nodes (672 pods) per cell",
                "Data: 5,000 users per Aurora reader, 10,000 per cache shard (each cell's cache is its own)",
                "",
                "Region          Cell   Normal users  Worst-case users  Worst case when                     Pods min/max  Nodes min/max  Readers  Cache shards",
                "us-east-1       use1         12,000            20,000  eu-central-1 + ap-southeast-1 down         24/40            9/9        4             3",
                "eu-central-1    euc1          6,000            20,000  us-east-1 + ap-southeast-1 down            12/40            6/9        4             3",
                "ap-southeast-1  apse1         2,000            20,000  us-east-1 + eu-central-1 down               4/40            6/9        4             3",
                "Total                        20,000                                                              40/120          21/27       12             9",
            ].join("\n"),
        );
    });

    it("writes the prod stack's capacity into the plan JSON, for all three cells", async () => {
        const run = await planOf(prodStack());
        const json = JSON.parse(JSON.stringify(run.plan)) as { capacity: CapacityPlan };
        assert.deepEqual(json.capacity, JSON.parse(JSON.stringify(run.capacity)));
        assert.deepEqual(
            json.capacity.cells.map((c) => [
                c.code,
                c.normalUsers,
                c.worstCaseUsers,
                c.worstCaseFailure,
                c.pods,
                c.nodes,
                c.readers,
                c.cacheShards,
            ]),
            [
                ["use1", 11250, 18750, ["eu-central-1"], { min: 15, max: 24 }, { min: 6, max: 9 }, 4, 3],
                ["euc1", 7500, 18750, ["us-east-1"], { min: 10, max: 24 }, { min: 6, max: 9 }, 4, 3],
                ["apse1", 6250, 6250, [], { min: 8, max: 8 }, { min: 6, max: 6 }, 2, 3],
            ],
        );
        assert.equal(json.capacity.targetConcurrentUsers, 25000);
    });
});

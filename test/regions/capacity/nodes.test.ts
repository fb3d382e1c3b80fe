import * as assert from "node:assert/strict";
import {
    INSTANCE_TYPES,
    kubeReservedCpuMillis,
    kubeReservedMemoryMiB,
    maxPods,
    maxPodsFor,
    nodeAllocatable,
    nodesPerAzFor,
    podsPerNode,
} from "../../../regions/capacity/nodes";

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
        const fit = (type: string, podCpuMillis: number, podMemoryMiB: number) =>
            podsPerNode(nodeAllocatable(INSTANCE_TYPES[type]), { podCpuMillis, podMemoryMiB, daemonSets: ds });
        // (3920 − 400) / 500 = 7.04 → 7; (14162 − 600) / 512 = 26.5 → 26; 58 − 8 = 50
        assert.deepEqual(fit("m7i.xlarge", 500, 512), { pods: 7, limitedBy: "cpu" });
        // (7910 − 400) / 500 = 15.02 → 15
        assert.deepEqual(fit("m7i.2xlarge", 500, 512), { pods: 15, limitedBy: "cpu" });
        // c7i.xlarge, 250m / 2 GiB: CPU 14, memory (6584 − 600) / 2048 = 2.9 → 2
        assert.deepEqual(fit("c7i.xlarge", 250, 2048), { pods: 2, limitedBy: "memory" });
        // tiny pods: CPU 352, memory 847, slots 50
        assert.deepEqual(fit("m7i.xlarge", 10, 16), { pods: 50, limitedBy: "pod slots" });
    });

    it("spreads pods over the AZs and adds one spare node per AZ", () => {
        assert.equal(nodesPerAzFor(3, 3, 7), 2); // 1 pod per AZ → 1 node + 1 spare
        assert.equal(nodesPerAzFor(21, 3, 7), 2); // 7 per AZ fill one node
        assert.equal(nodesPerAzFor(22, 3, 7), 3); // 8 in one AZ → 2 nodes + 1 spare
        assert.equal(maxPodsFor(100, 3, 7), 672); // floor(100 / 3) = 33 per AZ, 32 working × 7 × 3
        assert.equal(maxPodsFor(6, 3, 7), 21);
        assert.equal(nodesPerAzFor(672, 3, 7), 33); // 99 nodes: within 100
        assert.equal(nodesPerAzFor(673, 3, 7), 34); // 102 nodes: over
    });
});

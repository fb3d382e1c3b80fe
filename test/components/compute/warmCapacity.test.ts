import * as assert from "node:assert/strict";
import { PAUSE_IMAGE, WARM_LABELS, WARM_PRIORITY, WarmCapacity, warmCapacityProblems } from "../../../components/compute/warmCapacity";
import { type Evaluation } from "../../../plan/runtime";
import { PLACEHOLDER_LABEL } from "../../../policy/kubernetes";
import { evaluateOf, one, planOf, prodStack } from "../../support/harness";

type Json = Record<string, any>;

describe("WarmCapacity", () => {
    let ev: Evaluation;
    before(async () => {
        ev = await evaluateOf(WarmCapacity, "use1-warm", { replicas: 9, cpuMillicores: 500, memoryMiB: 512 });
    });

    it("runs placeholders that every pod preempts and that preempt nothing", () => {
        const priority = one(ev, "kubernetes:scheduling.k8s.io/v1:PriorityClass", "use1-warm-priority").inputs as Json;
        assert.equal(priority.value, WARM_PRIORITY);
        assert.ok(WARM_PRIORITY < 0, "below the 0 of every pod that names no class");
        assert.equal(priority.preemptionPolicy, "Never");
        assert.equal(priority.globalDefault, false);
        const spec = one(ev, "kubernetes:apps/v1:Deployment", "use1-warm-deployment").inputs.spec as Json;
        assert.equal(spec.replicas, 9);
        assert.equal(spec.template.spec.priorityClassName, priority.metadata.name);
        assert.equal(spec.template.metadata.labels[PLACEHOLDER_LABEL.key], PLACEHOLDER_LABEL.value, "the pack's mark of a placeholder");
        assert.deepEqual(spec.template.metadata.labels, WARM_LABELS);
    });

    it("does not hold an up while its placeholders are Pending (the API scaled into their room)", () => {
        const metadata = one(ev, "kubernetes:apps/v1:Deployment", "use1-warm-deployment").inputs.metadata as Json;
        assert.deepEqual(metadata.annotations, { "pulumi.com/skipAwait": "true" });
    });

    it("sizes each placeholder as an API pod and pins the pause image by digest", () => {
        const pod = (one(ev, "kubernetes:apps/v1:Deployment", "use1-warm-deployment").inputs.spec as Json).template.spec;
        assert.equal(pod.containers.length, 1);
        const [c] = pod.containers;
        assert.match(c.image, /^registry\.k8s\.io\/pause:3\.10@sha256:[0-9a-f]{64}$/);
        assert.equal(c.image, PAUSE_IMAGE);
        assert.deepEqual(c.resources, { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "500m", memory: "512Mi" } });
        assert.equal(pod.automountServiceAccountToken, false);
        assert.deepEqual(
            pod.topologySpreadConstraints.map((t: Json) => [t.topologyKey, t.whenUnsatisfiable]),
            [
                ["topology.kubernetes.io/zone", "ScheduleAnyway"],
                ["kubernetes.io/hostname", "ScheduleAnyway"],
            ],
        );
    });

    it("refuses a count or size that cannot be", () => {
        assert.deepEqual(warmCapacityProblems({ replicas: 0, cpuMillicores: 500, memoryMiB: 512 }), []);
        assert.deepEqual(warmCapacityProblems({ replicas: -1, cpuMillicores: 0, memoryMiB: 512 }), [
            "replicas -1 is not a whole number ≥ 0",
            "cpuMillicores 0 is not above 0",
        ]);
    });

    it("holds, in each prod cell, the model's warm pods at the API pods' size", async () => {
        const run = await planOf(prodStack());
        const apiPod = (code: string) =>
            (run.plan.resources.find((r) => r.name === `${code}-api-deployment`)!.inputs.spec as Json).template.spec.containers[0];
        for (const c of run.fleet.capacity.cells) {
            const spec = run.plan.resources.find((r) => r.name === `${c.code}-warm-deployment`)!.inputs.spec as Json;
            assert.equal(spec.replicas, c.warmPods, c.code);
            assert.deepEqual(spec.template.spec.containers[0].resources.requests, apiPod(c.code).resources.requests, c.code);
        }
        assert.deepEqual(
            run.fleet.capacity.cells.map((c) => [c.code, c.warmPods]),
            [
                ["use1", 9],
                ["euc1", 14],
                ["apse1", 0],
            ],
        );
    });
});

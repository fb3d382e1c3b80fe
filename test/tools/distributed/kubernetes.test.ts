import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { type SitesConfig } from "../../../loadgen/sites";
import { workerBundle } from "../../../tools/distributed/bundle";
import { DEFAULT_SERVICE_ACCOUNT, type DistributedFlags, planManifests } from "../../../tools/distributed/command";
import { kubernetesEngine } from "../../../tools/distributed/kubernetes";
import { type DistributedOptions, planRun, runDistributed } from "../../../tools/distributed/run";
import { parseScenario } from "../../../tools/scenario";
import { type KubeStandIn, startKubeStandIn } from "../../support/kubeStandIn";
import { type Target, startTarget } from "../../support/loopback";
import { pacedYaml } from "../../support/scenarios";

describe("distributed: the Kubernetes engine against a stand-in API server that runs the pods", function () {
    this.timeout(40000);
    let target: Target;
    let kube: KubeStandIn;
    beforeEach(async () => {
        target = await startTarget({ delayMs: () => 3 });
        kube = await startKubeStandIn();
    });
    afterEach(async () => {
        await target.close();
        await kube.close();
    });

    const sites: SitesConfig = {
        sites: [
            { region: "us-east-1", cluster: "loadgen-use1", context: "ctx-use1", egress: [] },
            { region: "eu-central-1", cluster: "loadgen-euc1", context: "ctx-euc1", egress: [] },
        ],
        namespace: "loadgen",
        maxWorkersPerSite: 4,
        workerCpuMillicores: 1000,
        workerMemoryMiB: 512,
    };
    const flags = { sites, image: `node:22-bookworm-slim@sha256:${"0123456789abcdef".repeat(4)}` } as unknown as DistributedFlags;
    const options = (url: string, extra: Partial<DistributedOptions> = {}): DistributedOptions => ({
        target: url,
        scenario: parseScenario(parse(pacedYaml(40)), "paced.yaml"),
        users: 8,
        usersPerWorker: 2,
        model: "closed",
        durationS: 0.8,
        warmupS: 0.2,
        timeoutS: 5,
        maxRequests: 100_000,
        // Any answer within the timeout meets it: the tests assert the verdict's wiring, not the machine's speed.
        objective: { p99Ms: 5000, maxErrorRate: 0.001 },
        startInS: 1.5,
        traffic: { ENAM: 0.5, WEU: 0.5 },
        ...extra,
    });

    it("creates each region's ConfigMap and Indexed Job in its site, runs the pods, reads their logs and merges them", async () => {
        // Counted, not timed: the request cap (10 per worker) ends the run, the duration only bounds it, and with
        // no warm-up every request made is counted, so the counts below hold on a loaded machine.
        const opts = options(target.url, { maxRequests: 40, durationS: 20, warmupS: 0 });
        const plan = planRun(opts);
        const manifests = planManifests(plan, flags, workerBundle());
        const engine = kubernetesEngine(sites, { kubeconfigFile: kube.kubeconfig(["ctx-use1", "ctx-euc1"]), pollMs: 100 });
        const report = await runDistributed(
            plan,
            engine,
            { target: opts.target, scenario: "paced", model: "closed", objective: opts.objective },
            { manifests },
        );
        assert.deepEqual(report.failedWorkers, []);
        assert.deepEqual(
            kube.jobs
                .map((j) => [j.metadata.name, j.metadata.namespace, j.spec.completions, j.spec.template.spec.serviceAccountName])
                .sort(),
            [
                [`loadtest-${plan.runId}-euc1`, "loadgen", 2, DEFAULT_SERVICE_ACCOUNT],
                [`loadtest-${plan.runId}-use1`, "loadgen", 2, DEFAULT_SERVICE_ACCOUNT],
            ],
        );
        assert.equal(kube.configMaps.length, 2);
        // Every pod's log was read and merged: each region counts its two workers' 10 requests each, as the target saw.
        assert.deepEqual(
            report.regions.map((r) => [r.region, r.users, r.workers, r.summary.requests]),
            [
                ["us-east-1", 4, 2, 20],
                ["eu-central-1", 4, 2, 20],
            ],
        );
        assert.equal(report.summary.requests, 40);
        assert.equal(target.seen.length, 40);
        assert.equal(report.summary.errorRate, 0);
        assert.equal(report.objective.holds, true, report.objective.reasons.join("; "));
        const kinds = new Set(
            kube.requests.map((r) => r.replace(/loadtest-[^/]+/g, "NAME").replace(/\/pods\/[^/]+\/log/, "/pods/POD/log")),
        );
        assert.deepEqual([...kinds].sort(), [
            "GET /api/v1/namespaces/loadgen/pods",
            "GET /api/v1/namespaces/loadgen/pods/POD/log",
            "GET /apis/batch/v1/namespaces/loadgen/jobs/NAME/status",
            "POST /api/v1/namespaces/loadgen/configmaps",
            "POST /apis/batch/v1/namespaces/loadgen/jobs",
        ]);
    });

    it("stops workers that outlive the Job's deadline by themselves, and fails the run naming them", async () => {
        const opts = options(target.url, { durationS: 30 });
        const plan = { ...planRun(opts), deadlineS: 2 };
        const manifests = planManifests(plan, flags, workerBundle());
        const engine = kubernetesEngine(sites, { kubeconfigFile: kube.kubeconfig(["ctx-use1", "ctx-euc1"]), pollMs: 100 });
        const started = Date.now();
        const report = await runDistributed(
            plan,
            engine,
            { target: opts.target, scenario: "paced", model: "closed", objective: opts.objective },
            { manifests },
        );
        // Ended by the 2 s deadline, long before the 30 s run would have (the margin is for a loaded machine).
        assert.ok(Date.now() - started < 25_000, `took ${Date.now() - started} ms`);
        // Killed (137), or not yet terminated when the engine looked, and whether or not a worker got as far as
        // its first log line: on a loaded machine any of these; every one is stopped by the deadline.
        const stopped = /^no result \((exit 137|killed at the deadline)\b/;
        assert.deepEqual(
            report.failedWorkers.map((w) => `${w.region}/${w.index}: ${stopped.test(w.why) ? "stopped" : w.why}`),
            ["us-east-1/0", "us-east-1/1", "eu-central-1/0", "eu-central-1/1"].map((w) => `${w}: stopped`),
        );
        assert.equal(report.objective.holds, false);
    });

    it("names the missing kubeconfig context and how to add it", async () => {
        const opts = options(target.url);
        const plan = planRun(opts);
        const engine = kubernetesEngine(sites, { kubeconfigFile: kube.kubeconfig(["ctx-use1"]) });
        await assert.rejects(
            engine.run(plan.specs, workerBundle(), plan.deadlineS, { manifests: planManifests(plan, flags, workerBundle()) }),
            /kubeconfig has no context ctx-euc1 \(for eu-central-1\): run aws eks update-kubeconfig --name loadgen-euc1 --region eu-central-1 --alias ctx-euc1/,
        );
    });
});

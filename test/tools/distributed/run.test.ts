import * as assert from "node:assert/strict";
import { collect } from "../../../tools/distributed/collect";
import { localEngine } from "../../../tools/distributed/local";
import { type DistributedOptions, planRun, runDistributed } from "../../../tools/distributed/run";
import { parseScenario } from "../../../tools/scenario";
import { type Target, startTarget } from "../../support/loopback";

describe("distributed: several worker processes against loopback targets", function () {
    this.timeout(30000);
    let target: Target;
    afterEach(() => target?.close());

    // A request every 50 ms per user, writes 1 in 4; 12 users over three Cloudflare regions, 2 users a worker.
    const scenario = parseScenario(
        {
            name: "mix",
            thinkMs: { min: 50, max: 50 },
            requests: [
                { path: "/v1/sync", weight: 3 },
                { method: "POST", path: "/v1/events", weight: 1, body: { type: "view" } },
            ],
        },
        "mix.yaml",
    );
    const options = (url: string, extra: Partial<DistributedOptions> = {}): DistributedOptions => ({
        target: url,
        scenario,
        users: 12,
        usersPerWorker: 2,
        model: "closed",
        durationS: 1,
        warmupS: 0.2,
        timeoutS: 2,
        maxRequests: 100_000,
        objective: { p99Ms: 1000, maxErrorRate: 0.001 },
        startInS: 1.5,
        traffic: { ENAM: 0.5, WEU: 0.3, SEAS: 0.2 },
        ...extra,
    });

    it("starts every worker of every region, merges their histograms, and judges reads and writes apart", async () => {
        // Reads answer in 5 ms, writes in 40 ms: known latencies per route class.
        target = await startTarget({ delayMs: (_, req) => (req.method === "POST" ? 40 : 5) });
        const opts = options(target.url);
        const plan = planRun(opts);
        assert.deepEqual(
            plan.distribution.regions.map((r) => [r.region, r.cloudflareRegions, r.users, r.workers]),
            [
                ["us-east-1", ["ENAM"], 6, [2, 2, 2]],
                ["eu-central-1", ["WEU"], 4, [2, 2]],
                ["ap-southeast-1", ["SEAS"], 2, [2]],
            ],
        );
        const report = await runDistributed(plan, localEngine, {
            target: opts.target,
            scenario: "mix",
            model: "closed",
            objective: opts.objective,
        });
        assert.deepEqual(report.failedWorkers, []);
        assert.equal(report.model, "closed");
        assert.deepEqual(
            report.regions.map((r) => [r.region, r.workers, r.lateWorkers]),
            [
                ["us-east-1", 3, 0],
                ["eu-central-1", 2, 0],
                ["ap-southeast-1", 1, 0],
            ],
        );
        const { read, write } = report.byClass;
        assert.ok(read.requests > 60 && write.requests > 10, `${read.requests} reads, ${write.requests} writes`);
        assert.equal(report.summary.requests, read.requests + write.requests);
        assert.equal(
            report.summary.requests,
            report.regions.reduce((s, r) => s + r.summary.requests, 0),
        );
        // Every request the target saw after the warm-up is counted once; the warm-up's are not.
        assert.ok(target.seen.length >= report.summary.requests, `${target.seen.length} seen, ${report.summary.requests} counted`);
        // Medians, not tails: the target shares two cores with six workers.
        assert.ok(read.latencyMs!.p50 >= 5 && read.latencyMs!.p50 < 40, JSON.stringify(read.latencyMs));
        assert.ok(write.latencyMs!.p50 >= 40, JSON.stringify(write.latencyMs));
        assert.equal(report.summary.errorRate, 0);
        assert.equal(report.objective.holds, true, report.objective.reasons.join("; "));
    });

    it("fails the run when a worker leaves no result, naming it", () => {
        const opts = options("http://127.0.0.1:9");
        const plan = planRun(opts, Date.now(), "run-1");
        const report = collect({
            runId: plan.runId,
            target: opts.target,
            scenario: "mix",
            model: "closed",
            distribution: plan.distribution,
            outcomes: [{ region: "us-east-1", index: 1, exitCode: 3, output: "", errors: "loadtest worker: boom\n" }],
            objective: opts.objective,
        });
        assert.deepEqual(report.failedWorkers, [{ region: "us-east-1", index: 1, why: "no result (exit 3: loadtest worker: boom)" }]);
        assert.equal(report.objective.holds, false);
        assert.deepEqual(report.regions[0].verdict.reasons, ["no responses were received", "3 of 3 workers left no result"]);
    });
});

import * as assert from "node:assert/strict";
import { LATE_MS, collect } from "../../../tools/distributed/collect";
import { localEngine } from "../../../tools/distributed/local";
import { type DistributedOptions, planRun, runDistributed } from "../../../tools/distributed/run";
import { RESULT_PREFIX, type WorkerResult } from "../../../tools/distributed/spec";
import { parseScenario } from "../../../tools/scenario";
import { Figures } from "../../../tools/stats";
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
        timeoutS: 5,
        maxRequests: 100_000,
        // Any answer within the timeout meets it: the test asserts the verdict's wiring, not the machine's speed.
        objective: { p99Ms: 5000, maxErrorRate: 0.001 },
        startInS: 1.5,
        traffic: { ENAM: 0.5, WEU: 0.3, SEAS: 0.2 },
        ...extra,
    });

    it("starts every worker of every region, merges their histograms, and judges reads and writes apart", async () => {
        // Reads answer 200 in 5 ms, writes 201 in 40 ms: known latencies and statuses per route class.
        target = await startTarget({
            delayMs: (_, req) => (req.method === "POST" ? 40 : 5),
            status: (req) => (req.method === "POST" ? 201 : 200),
        });
        // Counted, not timed: the request cap (10 per user) ends the run, the duration only bounds it, and
        // with no warm-up every request made is counted, so the figures below hold on a loaded machine.
        const opts = options(target.url, { maxRequests: 120, durationS: 20, warmupS: 0 });
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
        // Every worker's histograms reach its region's figures: each region made exactly its share of the cap.
        // (Whether a worker started late depends on how busy the machine is: the next test counts late ones.)
        assert.deepEqual(
            report.regions.map((r) => [r.region, r.workers, r.summary.requests]),
            [
                ["us-east-1", 3, 60],
                ["eu-central-1", 2, 40],
                ["ap-southeast-1", 1, 20],
            ],
        );
        // The whole run is the sum of the regions and of the route classes, and is what the target saw.
        const { read, write } = report.byClass;
        assert.equal(report.summary.requests, 120);
        assert.equal(read.requests + write.requests, 120);
        assert.equal(target.seen.length, 120);
        // Reads and writes apart, exactly: each class holds the target's GETs or POSTs and only their statuses.
        const seen = (method: string) => target.seen.filter((r) => r.method === method).length;
        assert.deepEqual(
            [read.requests, read.statusCodes, write.requests, write.statusCodes],
            [seen("GET"), { 200: seen("GET") }, seen("POST"), { 201: seen("POST") }],
        );
        assert.ok(read.requests > 0 && write.requests > 0, `${read.requests} reads, ${write.requests} writes`);
        // Lower bounds only (a loaded machine adds latency, never removes it): each class has its own latencies.
        assert.ok(read.latencyMs!.p50 >= 5, JSON.stringify(read.latencyMs));
        assert.ok(write.latencyMs!.p50 >= 40, JSON.stringify(write.latencyMs));
        assert.equal(report.summary.errorRate, 0);
        assert.equal(report.objective.holds, true, report.objective.reasons.join("; "));
    });

    it("counts the workers that started more than LATE_MS after the common start, per region", () => {
        const opts = options("http://127.0.0.1:9");
        const plan = planRun(opts, Date.now(), "run-2");
        const figures = new Figures();
        figures.record("read", { status: 200, latencyMs: 5 });
        const lateMs = (region: string, index: number) => (region === "us-east-1" && index > 0 ? LATE_MS + 1 : LATE_MS);
        const outcomes = plan.specs.flatMap((spec) =>
            spec.users.map((users, index) => {
                const result: WorkerResult = {
                    runId: plan.runId,
                    region: spec.region,
                    index,
                    users,
                    model: { kind: "closed" },
                    lateMs: lateMs(spec.region, index),
                    seconds: 1,
                    figures: figures.encode(),
                };
                return { region: spec.region, index, exitCode: 0, output: `${RESULT_PREFIX}${JSON.stringify(result)}\n`, errors: "" };
            }),
        );
        const report = collect({ ...plan, target: opts.target, scenario: "mix", model: "closed", outcomes, objective: opts.objective });
        assert.deepEqual(
            report.regions.map((r) => [r.region, r.lateWorkers, r.summary.requests]),
            [
                ["us-east-1", 2, 3],
                ["eu-central-1", 0, 2],
                ["ap-southeast-1", 0, 1],
            ],
        );
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

import * as assert from "node:assert/strict";
import { type DrillSetup, type ExecutionRecord, executedResult, formatOutcome, poolIsOut } from "../../../tools/drill/report";
import { type Sample } from "../../../tools/stats";

const POOL = { id: "p1", name: "api-example-com-use1", enabled: true };
const HEALTHY = { healthy: true, locations: 2 };
const SETUP: DrillSetup = {
    stack: "prod",
    region: "us-east-1",
    code: "use1",
    executed: true,
    expectation: { reroutes: [], cells: [], unservedUsers: 0 },
    target: "https://api.example.com",
    regionHeader: "x-served-region",
};

/**
 * A request every 100 ms from 0 to 2900 ms (10 ms each), served by us-east-1 until the reroute at
 * 1300 ms and by eu-central-1 after; 502s at 1100, 1200 and 1500 (pool out) and 2500 (pool back).
 */
const SAMPLES: Sample[] = Array.from({ length: 30 }, (_, i) => {
    const at = i * 100;
    return {
        at,
        latencyMs: 10,
        status: [1100, 1200, 1500, 2500].includes(at) ? 502 : 200,
        region: at < 1300 ? "us-east-1" : "eu-central-1",
    };
});

/** A drill that disabled the pool at 1000 ms, saw the reroute at 1300 ms and restored the pool at 2000 ms. */
const record = (change: Partial<ExecutionRecord["steps"]> = {}, failed = false): ExecutionRecord => ({
    steps: {
        pool: POOL,
        healthBefore: HEALTHY,
        baselineRegion: "us-east-1",
        disabledAt: 1000,
        reroute: { at: 1300, to: "eu-central-1" },
        restore: { at: 2000, restored: true },
        healthAfter: HEALTHY,
        samples: SAMPLES,
        ...change,
    },
    failed,
    warmupMs: 100,
    timeline: [{ atMs: 0, event: "pool api-example-com-use1 (p1) found, enabled: true" }],
    problems: [],
});

describe("drill report", () => {
    it("times the reroute and the errors from the disable, and splits the load at the disable and the restore", () => {
        const result = executedResult(record());
        assert.deepEqual(
            [result.rerouteMs, result.reroutedTo, result.errorsDuringSwitch, result.errorsSettledMs, result.restored, result.outcome],
            [300, "eu-central-1", 2, 500, true, "completed"],
        );
        const { before, during, after } = result.phases;
        assert.deepEqual(
            [before, during, after].map((phase) => [
                phase!.fromMs,
                phase!.toMs,
                phase!.requests,
                phase!.httpErrors,
                phase!.requestsPerSecond,
            ]),
            [
                [100, 1000, 9, 0, 10],
                [1000, 2000, 10, 3, 10],
                [2000, 2901, 10, 1, 11.1],
            ],
        );
        assert.deepEqual([result.pool, result.poolHealthBefore, result.poolHealthAfter], [POOL, HEALTHY, HEALTHY]);
    });

    it("is no-reroute when the baseline region never changed, and completed without a baseline (judged by errors)", () => {
        const stayed = executedResult(record({ reroute: null }));
        assert.deepEqual([stayed.outcome, stayed.rerouteMs, stayed.reroutedTo, stayed.errorsDuringSwitch], ["no-reroute", null, null, 3]);
        const headerless = executedResult(record({ reroute: null, baselineRegion: null }));
        assert.deepEqual([headerless.outcome, headerless.baselineRegion, headerless.errorsSettledMs], ["completed", null, 500]);
    });

    it("fails when a step failed, or when the pool stayed disabled", () => {
        assert.equal(executedResult(record({}, true)).outcome, "failed");
        const stuck = executedResult(record({ restore: { at: 2000, restored: false }, healthAfter: undefined }));
        assert.deepEqual([stuck.outcome, stuck.restored, stuck.poolHealthAfter], ["failed", false, null]);
    });

    it("reports no phase when the drill stopped before the load, and only the baseline when it stopped before the disable", () => {
        const refused = executedResult(
            record(
                {
                    healthBefore: undefined,
                    baselineRegion: undefined,
                    disabledAt: undefined,
                    reroute: undefined,
                    restore: undefined,
                    healthAfter: undefined,
                    samples: undefined,
                },
                true,
            ),
        );
        assert.deepEqual(
            [refused.pool, refused.poolHealthBefore, refused.phases, refused.restored, refused.outcome, refused.errorsDuringSwitch],
            [POOL, null, { before: null, during: null, after: null }, true, "failed", 0],
        );
        const interrupted = executedResult(
            record(
                { baselineRegion: undefined, disabledAt: undefined, reroute: undefined, restore: undefined, healthAfter: undefined },
                true,
            ),
        );
        assert.deepEqual(
            [interrupted.phases.before?.fromMs, interrupted.phases.before?.toMs, interrupted.phases.during, interrupted.phases.after],
            [100, 2901, null, null],
        );
    });

    it("counts the pool as out from the disable call until the restore step", () => {
        assert.equal(poolIsOut({ pool: POOL }), false);
        assert.equal(poolIsOut({ pool: POOL, disabledAt: 0 }), true);
        assert.equal(poolIsOut({ pool: POOL, disabledAt: 0, restore: { at: 5, restored: false } }), false);
    });

    it("sums up the drill in a few lines: outcome, pool, reroute, phases and problems", () => {
        assert.equal(
            formatOutcome({ ...SETUP, ...executedResult(record()) }),
            [
                "Drill of us-east-1 (use1): COMPLETED",
                "  pool api-example-com-use1 (p1), restored: true",
                "  reroute 300 ms (us-east-1 → eu-central-1); errors during the switch: 2, last error 500 ms after the disable",
                "  before  9 requests, 10 req/s, errors 0.00%, p50 10 / p95 10 / p99 10 ms",
                "  during  10 requests, 10 req/s, errors 30.00%, p50 10 / p95 10 / p99 10 ms",
                "  after   10 requests, 11.1 req/s, errors 10.00%, p50 10 / p95 10 / p99 10 ms",
            ].join("\n"),
        );
        const timeouts: Sample[] = [0, 100, 200].map((at) => ({ at, status: 0, failure: "timeout" }));
        const stuck = executedResult({
            ...record({ reroute: null, restore: { at: 150, restored: false }, disabledAt: 50, samples: timeouts }),
            problems: ["POOL api-example-com-use1 (p1) IS STILL DISABLED"],
        });
        assert.equal(
            formatOutcome({ ...SETUP, ...stuck }),
            [
                "Drill of us-east-1 (use1): FAILED — POOL STILL DISABLED",
                "  pool api-example-com-use1 (p1), restored: false",
                "  reroute not seen; errors during the switch: 1, last error 50 ms after the disable",
                "  before  -",
                "  during  1 requests, 10 req/s, errors 100.00%, no responses",
                "  after   1 requests, 19.61 req/s, errors 100.00%, no responses",
                "  problem: POOL api-example-com-use1 (p1) IS STILL DISABLED",
            ].join("\n"),
        );
    });
});

import * as assert from "node:assert/strict";
import { DEFAULT_OBJECTIVE, type Sample, judge, percentile, summarise } from "../../tools/stats";

describe("stats: percentiles, errors and the objective", () => {
    const ok = (at: number, latencyMs: number, status = 200): Sample => ({ at, latencyMs, status });

    it("takes nearest-rank percentiles", () => {
        const values = Float64Array.from({ length: 100 }, (_, i) => i + 1);
        assert.equal(percentile(values, 50), 50);
        assert.equal(percentile(values, 95), 95);
        assert.equal(percentile(values, 99), 99);
        assert.equal(percentile([7], 99), 7);
    });

    it("counts non-2xx/3xx, socket errors and timeouts as errors", () => {
        const samples: Sample[] = [
            ok(0, 1),
            ok(1, 2, 302),
            ok(2, 3, 404),
            ok(3, 4, 503),
            { at: 4, status: 0, failure: "socket" },
            { at: 5, status: 0, failure: "timeout" },
            ok(6, 5, 101),
        ];
        const s = summarise(samples, 2);
        assert.deepEqual(
            { ...s, latencyMs: undefined },
            {
                requests: 7,
                responses: 5,
                httpErrors: 3,
                socketErrors: 1,
                timeouts: 1,
                errorRate: 5 / 7,
                requestsPerSecond: 3.5,
                latencyMs: undefined,
                statusCodes: { 200: 1, 302: 1, 404: 1, 503: 1, 101: 1 },
            },
        );
        assert.deepEqual(s.latencyMs, { p50: 3, p95: 5, p99: 5, p999: 5, max: 5 });
        assert.equal(summarise(samples, 1, 2, 4).requests, 2);
    });

    it("holds only with p99 under the bound and errors under the rate, saying why not", () => {
        const fast = summarise(
            Array.from({ length: 1000 }, (_, i) => ok(i, i < 990 ? 5 : 40)),
            1,
        );
        assert.deepEqual(judge(fast, DEFAULT_OBJECTIVE), { holds: true, reasons: [] });
        const slow = summarise(
            Array.from({ length: 1000 }, (_, i) => ok(i, i < 989 ? 5 : 40)),
            1,
        );
        assert.deepEqual(judge(slow, DEFAULT_OBJECTIVE), { holds: false, reasons: ["p99 40 ms is not under 30 ms"] });
        const failing = summarise(
            Array.from({ length: 1000 }, (_, i) => ok(i, 5, i === 0 ? 500 : 200)),
            1,
        );
        assert.deepEqual(judge(failing, DEFAULT_OBJECTIVE), { holds: false, reasons: ["error rate 0.1% is not under 0.1%"] });
        assert.deepEqual(judge(summarise([], 1), DEFAULT_OBJECTIVE), { holds: false, reasons: ["no responses were received"] });
    });
});

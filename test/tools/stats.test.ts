import * as assert from "node:assert/strict";
import { DEFAULT_OBJECTIVE, Figures, type Sample, Tally, judge, percentile, summarise } from "../../tools/stats";

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

    /** A seeded generator (mulberry32): the same samples on every run. */
    const seeded = (seed: number) => () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    // Latencies from 0.2 ms to about 2 s with a long tail, to the microsecond, and a few errors.
    const random = seeded(21);
    const samples: Sample[] = Array.from({ length: 100_000 }, (_, i) => {
        const latencyMs = Math.round(Math.exp(random() * 9 - 1.6) * 1000) / 1000 + 0.2;
        return i % 997 === 0 ? { at: i, status: 0, failure: "timeout" } : { at: i, latencyMs, status: i % 211 === 0 ? 503 : 200 };
    });

    it("merges the workers' histograms into exactly what one process computes over every sample", () => {
        const single = new Tally();
        for (const sample of samples) single.record(sample);
        // Seven workers of uneven size, each encoded, shipped as JSON and decoded by the collector.
        const cuts = [0, 1_000, 31_000, 32_000, 60_000, 75_000, 90_000, samples.length];
        const merged = new Tally();
        for (let w = 0; w + 1 < cuts.length; w++) {
            const worker = new Tally();
            for (const sample of samples.slice(cuts[w], cuts[w + 1])) worker.record(sample);
            merged.add(Tally.decode(JSON.parse(JSON.stringify(worker.encode()))));
        }
        assert.deepEqual(merged.summary(60), single.summary(60));
        assert.equal(merged.responses, 100_000 - Math.ceil(100_000 / 997));
    });

    it("reports each percentile at its nearest rank, at most 0.01 % above the exact value and never below it", () => {
        const tally = new Tally();
        for (const sample of samples) tally.record(sample);
        const exact = Float64Array.from(samples.filter((s) => s.latencyMs !== undefined).map((s) => s.latencyMs!)).sort();
        const latency = tally.summary(1).latencyMs!;
        for (const [p, hdr] of [
            [50, latency.p50],
            [95, latency.p95],
            [99, latency.p99],
            [99.9, latency.p999],
            [100, latency.max],
        ] as const) {
            const truth = percentile(exact, p);
            // 0.005 ms: the report rounds to 0.01 ms.
            assert.ok(hdr >= truth - 0.005 && hdr <= truth * 1.0001 + 0.005, `p${p}: histogram ${hdr} ms, exact ${truth} ms`);
        }
    });

    it("keeps reads and writes apart and adds them up for the whole run", () => {
        const figures = new Figures();
        figures.record("read", { status: 200, latencyMs: 4 });
        figures.record("read", { status: 200, latencyMs: 6 });
        figures.record("write", { status: 500, latencyMs: 40 });
        const whole = figures.total().summary(1);
        assert.deepEqual([whole.requests, whole.httpErrors, whole.latencyMs!.max], [3, 1, 40]);
        assert.deepEqual(figures.byClass.read.summary(1).latencyMs, { p50: 4, p95: 6, p99: 6, p999: 6, max: 6 });
        assert.equal(Figures.decode(figures.encode()).byClass.write.summary(1).errorRate, 1);
    });
});

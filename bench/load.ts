/**
 * The load engine's speed and memory (part of `npm run bench`), against a loopback server in a
 * process of its own, so that the generator does not share an event loop with its target:
 * - one worker's ceiling: closed users with no think time, requests/s of one Node process.
 *   Target ≥ 4× what a worker of 2,000 extension users needs (2,000 / 4.5 s mean think ≈ 450
 *   requests/s), so `--users-per-worker 2000` leaves the generator far from its own limit;
 * - the recorder: 10 million latencies into the histograms (the `--max-requests` bound), in
 *   time and memory (heap and typed arrays); target under 50 MiB, where keeping the samples cost about 1 GB;
 * - the collector: decoding and merging 100 workers' results; target under 2 s.
 * Exits 1 when a target is missed.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { formatTable } from "../plan/report/table";
import { runLoad } from "../tools/load";
import { type Scenario } from "../tools/scenario";
import { Figures } from "../tools/stats";

const BUSY: Scenario = {
    name: "busy",
    steps: [{ name: "get", weight: 1, method: "GET", path: "/v1/sync", headers: {}, thinkMs: { min: 0, max: 0 }, routeClass: "read" }],
};
const WORKER_NEEDS_RPS = 2000 / 4.5;

function startServer(): Promise<{ url: string; child: ChildProcess }> {
    const script = `const s=require("http").createServer((q,r)=>{r.writeHead(200,{"content-type":"application/json"});r.end('{"ok":true}')});s.keepAliveTimeout=60000;s.listen(0,"127.0.0.1",()=>console.log(s.address().port))`;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    return new Promise((resolve) =>
        child.stdout!.once("data", (port: Buffer) => resolve({ url: `http://127.0.0.1:${String(port).trim()}`, child })),
    );
}

async function main(): Promise<number> {
    const rows: [string, string, string, boolean][] = [];
    const server = await startServer();
    try {
        await runLoad({ target: server.url, users: 50, scenario: BUSY, durationS: 2, maxRequests: 10_000_000 }); // warm-up: JIT, sockets
        const result = await runLoad({ target: server.url, users: 50, scenario: BUSY, durationS: 10, warmupS: 2, maxRequests: 10_000_000 });
        const rps = result.summary.requestsPerSecond;
        rows.push([
            "one worker, 50 busy users",
            `${Math.round(rps)} requests/s`,
            `≥ ${Math.round(4 * WORKER_NEEDS_RPS)}`,
            rps >= 4 * WORKER_NEEDS_RPS,
        ]);
    } finally {
        server.child.kill();
    }

    // Typed arrays (the histograms' counts) live outside the JS heap: count both, after a full GC.
    const used = () => {
        global.gc!();
        const m = process.memoryUsage();
        return m.heapUsed + m.arrayBuffers;
    };
    const heapBefore = used();
    const started = performance.now();
    const figures = new Figures();
    for (let i = 0; i < 10_000_000; i++)
        figures.record(i % 5 === 0 ? "write" : "read", { status: 200, latencyMs: 1 + ((i * 7919) % 250_000) / 1000 });
    const recordS = (performance.now() - started) / 1000;
    const heapMiB = (used() - heapBefore) / 2 ** 20;
    rows.push(["record 10M latencies", `${recordS.toFixed(1)} s, memory +${heapMiB.toFixed(1)} MiB`, "< 50 MiB", heapMiB < 50]);

    const encoded = JSON.stringify(figures.encode());
    const mergeStart = performance.now();
    const merged = new Figures();
    for (let w = 0; w < 100; w++) merged.add(Figures.decode(JSON.parse(encoded)));
    const mergeS = (performance.now() - mergeStart) / 1000;
    rows.push([
        "merge 100 workers' results",
        `${mergeS.toFixed(2)} s (${Math.round(encoded.length / 1024)} KB each)`,
        "< 2 s",
        mergeS < 2 && merged.total().requests === 1_000_000_000,
    ]);

    const table = formatTable([["load engine", "measured", "target", ""], ...rows.map(([w, m, t, ok]) => [w, m, t, ok ? "ok" : "MISSED"])]);
    process.stdout.write(`\n${table}\n`);
    return rows.every((r) => r[3]) ? 0 : 1;
}

main().then((code) => process.exit(code));

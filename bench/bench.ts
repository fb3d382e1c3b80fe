/**
 * npm run bench [-- --runs N --sizes 1,3,6,11]
 *
 * Plans generated stacks of 1, 3, 6 and 11 regions, each in a fresh process exactly as
 * `npm run plan` runs it, and prints per size the resource count, the median wall time and
 * the peak memory (max RSS), beside the floor: a process that only imports the five
 * provider SDKs. Targets: the prod-sized plan (3 regions) ≤ 2× the floor; the largest
 * stack ≤ 4× the floor and ≤ 1 GiB. The largest is 11 regions, not 12: an Aurora global
 * database has at most 10 secondary regions, so the config refuses a twelfth (exit 2).
 * Exits 1 when a target is missed.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { parseValue } from "../config/platform";
import { formatTable } from "../plan/report/table";
import { projectRoot, readStack } from "../plan/stackConfig";

interface Sample {
    readonly wallMs: number;
    readonly maxRssMiB: number;
    readonly resources?: number;
}

const ROOT = projectRoot();
// Exactly as `npm run plan` runs: no extra Node flags (plan/runtime.ts turns stack traces off itself).
const NODE_ARGS: string[] = [];

/** Bench stacks: the prod config with the first `n` regions of a fixed spread-out order. */
const ORDER = [
    "us-east-1",
    "eu-central-1",
    "ap-southeast-1",
    "us-west-2",
    "eu-west-1",
    "ap-northeast-1",
    "sa-east-1",
    "ap-south-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-north-1",
    "us-east-2",
];

function stackFile(dir: string, n: number): string {
    const prod = readStack(ROOT, "prod");
    const config: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(prod.config)) config[key] = parseValue(value);
    config["platform:regions"] = ORDER.slice(0, n).map((name, i) => (i === 0 ? { name, primary: true } : { name }));
    config["platform:capacity"] = { ...(config["platform:capacity"] as object), regionFailuresTolerated: Math.min(1, n - 1) };
    const file = path.join(dir, `bench-${n}.yaml`);
    writeFileSync(file, stringify({ config }));
    return file;
}

/**
 * Runs `args` in a fresh Node process; max RSS comes from the child itself, at exit. A plan
 * that exits 1 (a mandatory policy finding, e.g. a one-region stack) was still fully planned.
 */
function measure(args: string[], jsonOut?: string): Sample {
    const probe = path.join(ROOT, ".build", "bench", "rss.js");
    const start = process.hrtime.bigint();
    const child = spawnSync(process.execPath, [...NODE_ARGS, "--require", probe, ...args], { cwd: ROOT, encoding: "utf8" });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (child.status !== 0 && !(jsonOut && child.status === 1))
        throw new Error(`${args.join(" ")} exited ${child.status}:\n${child.stderr}`);
    const rss = /^bench-rss-kib (\d+)$/m.exec(child.stderr);
    if (!rss) throw new Error(`no RSS reported by ${args.join(" ")}`);
    const resources = jsonOut
        ? (JSON.parse(readFileSync(jsonOut, "utf8")).resources as unknown[]).filter((r) => (r as { custom: boolean }).custom).length
        : undefined;
    return { wallMs, maxRssMiB: Number(rss[1]) / 1024, resources };
}

function median(samples: Sample[]): Sample {
    const sorted = [...samples].sort((a, b) => a.wallMs - b.wallMs);
    return { ...sorted[Math.floor(sorted.length / 2)], maxRssMiB: Math.max(...samples.map((s) => s.maxRssMiB)) };
}

function main(): number {
    const { values } = parseArgs({ options: { runs: { type: "string", default: "3" }, sizes: { type: "string", default: "1,3,6,11" } } });
    const runs = Number(values.runs);
    const sizes = values.sizes!.split(",").map(Number);
    if (!Number.isInteger(runs) || runs < 1 || sizes.some((n) => !Number.isInteger(n) || n < 1 || n > ORDER.length)) {
        process.stderr.write(`--runs must be ≥ 1 and --sizes a list of 1..${ORDER.length}\n`);
        return 2;
    }
    const dir = mkdtempSync(path.join(tmpdir(), "bench-"));
    try {
        const floor = median(Array.from({ length: runs }, () => measure([path.join(ROOT, ".build", "bench", "floor.js")])));
        const rows: string[][] = [["stack", "regions", "resources", "wall ms", "× floor", "max RSS MiB"]];
        rows.push(["floor (import SDKs)", "", "", floor.wallMs.toFixed(0), "1.00", floor.maxRssMiB.toFixed(0)]);
        const results = new Map<number, Sample>();
        for (const n of sizes) {
            const file = stackFile(dir, n);
            const out = path.join(dir, `plan-${n}.json`);
            const cli = path.join(ROOT, ".build", "plan", "cli.js");
            const sample = median(Array.from({ length: runs }, () => measure([cli, "--config", file, "--json", out, "--quiet"], out)));
            results.set(n, sample);
            rows.push([
                `generated`,
                String(n),
                String(sample.resources),
                sample.wallMs.toFixed(0),
                (sample.wallMs / floor.wallMs).toFixed(2),
                sample.maxRssMiB.toFixed(0),
            ]);
        }
        process.stdout.write(`${formatTable(rows, new Set([0]))}\n\n`);
        process.stdout.write(`median of ${runs} run(s) each; node ${process.version}\n`);
        const misses: string[] = [];
        const three = results.get(3);
        const largest = Math.max(...sizes);
        const largestRun = largest > 3 ? results.get(largest) : undefined;
        if (three && three.wallMs > 2 * floor.wallMs)
            misses.push(`3 regions took ${(three.wallMs / floor.wallMs).toFixed(2)}× the floor (target ≤ 2×)`);
        if (largestRun && largestRun.wallMs > 4 * floor.wallMs)
            misses.push(`${largest} regions took ${(largestRun.wallMs / floor.wallMs).toFixed(2)}× the floor (target ≤ 4×)`);
        if (largestRun && largestRun.maxRssMiB > 1024)
            misses.push(`${largest} regions peaked at ${largestRun.maxRssMiB.toFixed(0)} MiB (target ≤ 1024)`);
        process.stdout.write(misses.length === 0 ? "targets: all held\n" : `targets missed:\n- ${misses.join("\n- ")}\n`);
        return misses.length === 0 ? 0 : 1;
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

try {
    process.exit(main());
} catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    process.exit(3);
}

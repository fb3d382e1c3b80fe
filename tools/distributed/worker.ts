/**
 * One load-generator worker: `main([SPEC.json, INDEX?], env)`, run by `workerCommand` (bundle.ts). The index is the Kubernetes
 * Indexed Job's completion index (the `JOB_COMPLETION_INDEX` variable the Job controller sets in
 * every pod), else the second argument. It waits for the run's common start, runs its users with
 * the project's own engine (tools/load.ts), prints one result line (its histograms, encoded) and
 * returns its exit status: 0 with a result, whatever the objective (the collector judges the merged figures), 2 on
 * a bad spec, 3 when the run could not be made. Bundled into one file (tools/distributed/bundle.ts).
 */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { runLoad } from "../load";
import { RESULT_PREFIX, type WorkerResult, type WorkerSpec, workerModel } from "./spec";

export async function main(
    argv: readonly string[],
    env: NodeJS.ProcessEnv,
    out = (t: string) => void process.stdout.write(t),
): Promise<number> {
    const [file, indexArg] = argv;
    let spec: WorkerSpec;
    let index: number;
    try {
        spec = JSON.parse(readFileSync(file, "utf8")) as WorkerSpec;
        index = Number(env.JOB_COMPLETION_INDEX ?? indexArg);
        if (!Number.isInteger(index) || index < 0 || index >= spec.users.length)
            throw new Error(`worker index ${env.JOB_COMPLETION_INDEX ?? indexArg} is not one of 0..${spec.users.length - 1}`);
    } catch (err) {
        process.stderr.write(`loadtest worker: ${(err as Error).message}\n`);
        return 2;
    }
    const wait = spec.startAtMs - Date.now();
    if (wait > 0) await sleep(wait);
    const lateMs = Math.max(0, Date.now() - spec.startAtMs);
    const users = spec.users[index];
    out(`loadtest worker ${spec.region}/${index}: ${users} users against ${spec.target}, ${lateMs} ms after the common start\n`);
    try {
        const model = workerModel(spec, index);
        const result = await runLoad({
            target: spec.target,
            users,
            scenario: spec.scenario,
            model,
            durationS: spec.durationS,
            warmupS: spec.warmupS,
            timeoutS: spec.timeoutS,
            maxRequests: spec.maxRequests[index],
        });
        const line: WorkerResult = {
            runId: spec.runId,
            region: spec.region,
            index,
            users,
            model,
            lateMs,
            seconds: result.seconds,
            figures: result.figures.encode(),
        };
        out(`${RESULT_PREFIX}${JSON.stringify(line)}\n`);
        return 0;
    } catch (err) {
        process.stderr.write(`loadtest worker: ${(err as Error).message}\n`);
        return 3;
    }
}

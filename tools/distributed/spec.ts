/**
 * What the collector hands each worker (one JSON file per generator region, mounted beside the
 * bundled worker) and what each worker hands back (one line on stdout, which Kubernetes keeps as
 * the pod's log). Both are plain JSON, so that any engine that can start a process and keep its
 * output can run a worker.
 */
import { type LoadModel } from "../load";
import { type Scenario } from "../scenario";
import { type EncodedTally, type RouteClass } from "../stats";

export interface WorkerSpec {
    /** Names the run in every Job, pod and result; results of another run are refused. */
    readonly runId: string;
    /** The generator region (AWS) these workers run in. */
    readonly region: string;
    readonly target: string;
    readonly scenario: Scenario;
    /** closed; or open with the rate of each user (a worker's rate = its users × this). */
    readonly model: { readonly kind: "closed" } | { readonly kind: "open"; readonly ratePerUser: number };
    readonly durationS: number;
    readonly warmupS: number;
    readonly timeoutS: number;
    /** Users of each worker, by completion index. */
    readonly users: readonly number[];
    /** Request cap of each worker, by completion index. */
    readonly maxRequests: readonly number[];
    /** Epoch ms at which every worker of the run starts, so that the regions' loads overlap. */
    readonly startAtMs: number;
}

export interface WorkerResult {
    readonly runId: string;
    readonly region: string;
    readonly index: number;
    readonly users: number;
    readonly model: LoadModel;
    /** How long after `startAtMs` the load started (a pod scheduled late); 0 when on time. */
    readonly lateMs: number;
    /** Measured seconds (after the warm-up). */
    readonly seconds: number;
    readonly figures: Record<RouteClass, EncodedTally>;
}

/** The marker of the result line among whatever else the worker's log holds. */
export const RESULT_PREFIX = "LOADTEST_RESULT ";

/** The model one worker runs. */
export function workerModel(spec: WorkerSpec, index: number): LoadModel {
    return spec.model.kind === "open" ? { kind: "open", ratePerSecond: spec.users[index] * spec.model.ratePerUser } : { kind: "closed" };
}

/** The result line of a worker's output, or undefined when it has none (it failed before the end). */
export function parseResult(output: string): WorkerResult | undefined {
    const line = output
        .split("\n")
        .reverse()
        .find((l) => l.startsWith(RESULT_PREFIX));
    return line === undefined ? undefined : (JSON.parse(line.slice(RESULT_PREFIX.length)) as WorkerResult);
}

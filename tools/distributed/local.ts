/**
 * The local engine: every worker of every generator region as a process on this machine, started
 * with the Job's own command (`workerCommand`) over a folder that plays the ConfigMap's mount. For
 * the tests (several workers against loopback servers) and for checking a run's shape on a laptop
 * before it goes to the clusters; it generates no regional load.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { BUNDLE_FILE, SPEC_FILE, workerCommand } from "./bundle";
import { type RunManifests } from "./manifests";
import { type WorkerSpec } from "./spec";

/** What one worker left: its exit status and its output (a pod's log). */
export interface WorkerOutcome {
    readonly region: string;
    readonly index: number;
    /** null when it was killed at the deadline. */
    readonly exitCode: number | null;
    readonly output: string;
    readonly errors: string;
}

/** What an engine may use besides the specs: the run's Kubernetes objects, and Ctrl-C. */
export interface RunContext {
    readonly manifests?: readonly RunManifests[];
    /** Aborted: the workers are ended (the Jobs deleted) and what they left is returned. */
    readonly signal?: AbortSignal;
}

/** Starts the workers of a run and returns what each left, once every one has ended. */
export interface Engine {
    run(specs: readonly WorkerSpec[], bundle: Buffer, deadlineS: number, context?: RunContext): Promise<WorkerOutcome[]>;
}

export const localEngine: Engine = {
    async run(specs, bundle, deadlineS, context = {}) {
        const root = mkdtempSync(path.join(tmpdir(), "loadtest-local-"));
        try {
            const runs = specs.flatMap((spec) => {
                const mount = path.join(root, spec.region);
                mkdirSync(mount, { recursive: true });
                writeFileSync(path.join(mount, BUNDLE_FILE), bundle);
                writeFileSync(path.join(mount, SPEC_FILE), JSON.stringify(spec));
                return spec.users.map((_, index) =>
                    worker(spec.region, index, mount, path.join(mount, `scratch-${index}`), deadlineS, context.signal),
                );
            });
            return await Promise.all(runs);
        } finally {
            rmSync(root, { recursive: true, force: true });
        }
    },
};

function worker(
    region: string,
    index: number,
    mount: string,
    scratch: string,
    deadlineS: number,
    signal?: AbortSignal,
): Promise<WorkerOutcome> {
    mkdirSync(scratch, { recursive: true });
    const [, ...args] = workerCommand(mount, scratch);
    const child = spawn(process.execPath, args, {
        env: { ...process.env, JOB_COMPLETION_INDEX: String(index) },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let errors = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
    // Like a Job's activeDeadlineSeconds: a worker that outlives the run is ended.
    const deadline = setTimeout(() => child.kill("SIGKILL"), deadlineS * 1000);
    const abort = () => child.kill("SIGTERM");
    signal?.addEventListener("abort", abort, { once: true });
    return new Promise((resolve) => {
        child.on("close", (code) => {
            clearTimeout(deadline);
            signal?.removeEventListener("abort", abort);
            resolve({ region, index, exitCode: code, output, errors });
        });
    });
}

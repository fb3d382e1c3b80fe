/**
 * The Pulumi CLI as a release runs it: one command at a time, its output passed through
 * indented, stopped with SIGINT on an interrupt or when it runs past the timeout. On SIGINT
 * Pulumi starts no new operation and waits for the ones in flight, then saves its state; the
 * Terraform-bridged providers cannot cancel an operation (pulumi/pulumi-terraform-bridge ignores
 * Cancel), and an EKS version update or an Aurora upgrade takes tens of minutes. Killing it
 * sooner would leave pending operations and, on Pulumi Cloud, an update marked in progress
 * (`pulumi cancel`, then `pulumi refresh`, before anything else can run). So it is killed only
 * after KILL_AFTER_MS, beyond the providers' longest update timeout.
 */
import { spawn } from "node:child_process";

export interface PulumiRun {
    /** The exit status; null when it was killed by a signal. */
    readonly code: number | null;
    readonly timedOut: boolean;
    readonly interrupted: boolean;
}

export interface PulumiOptions {
    readonly cwd: string;
    readonly env: NodeJS.ProcessEnv;
    readonly timeoutMs: number;
    readonly signal: AbortSignal;
    readonly print: (line: string) => void;
}

/**
 * terraform-provider-aws's longest default update timeouts of what a release changes: an Aurora
 * cluster's 120 minutes (internal/service/rds/cluster.go), a global cluster's 90, an EKS
 * cluster's and a node group's 60; plus five minutes for Pulumi to save its state.
 */
export const KILL_AFTER_MS = 125 * 60_000;

export function runPulumi(args: readonly string[], options: PulumiOptions): Promise<PulumiRun> {
    return new Promise((resolve, reject) => {
        // Its own process group: a terminal's Ctrl-C reaches the release only, which forwards one
        // SIGINT; a second one would make Pulumi stop at once instead of cancelling gracefully.
        const child = spawn("pulumi", args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
        let timedOut = false;
        let interrupted = false;
        let killer: NodeJS.Timeout | undefined;
        const stop = () => {
            child.kill("SIGINT");
            killer ??= setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
        };
        const timer = setTimeout(() => {
            timedOut = true;
            stop();
        }, options.timeoutMs);
        const onAbort = () => {
            interrupted = true;
            stop();
        };
        options.signal.addEventListener("abort", onAbort);
        if (options.signal.aborted) onAbort();
        for (const stream of [child.stdout, child.stderr]) {
            let rest = "";
            stream.setEncoding("utf8");
            stream.on("data", (chunk: string) => {
                const lines = (rest + chunk).split("\n");
                rest = lines.pop()!;
                for (const line of lines) options.print(`    | ${line}`);
            });
            stream.on("end", () => rest && options.print(`    | ${rest}`));
        }
        const done = () => {
            clearTimeout(timer);
            if (killer) clearTimeout(killer);
            options.signal.removeEventListener("abort", onAbort);
        };
        child.on("error", (err: NodeJS.ErrnoException) => {
            done();
            reject(err.code === "ENOENT" ? new Error("pulumi is not on PATH: install the Pulumi CLI (README, Prerequisites)") : err);
        });
        child.on("close", (code) => {
            done();
            resolve({ code, timedOut, interrupted });
        });
    });
}

/** `--target URN` for each URN. */
export function targetArgs(urns: readonly string[]): string[] {
    return urns.flatMap((urn) => ["--target", urn]);
}

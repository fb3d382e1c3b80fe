/**
 * The offline plan of a stack file as the release is about to make it: run as `npm run plan`
 * does (its own process: the plan loads the Pulumi SDK, which the release tools never import),
 * its exit status required to be 0, and its JSON read for the targets.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { type PlanResources } from "./targets";

/** The compiled plan command beside this folder's compiled self (.build/tools/release → .build/plan). */
const PLAN_CLI = path.join(__dirname, "..", "..", "plan", "cli.js");

export interface PlanResult {
    /** The plan command's exit status: 0 holds, 1 a mandatory policy or cloud rule, 2 config, 3 the program failed. */
    readonly code: number;
    readonly stderr: string;
    readonly plan?: PlanResources & { readonly policy: { readonly violations: readonly { policy: string; enforcementLevel: string }[] } };
}

export function planFile(file: string, stack: string): Promise<PlanResult> {
    const dir = mkdtempSync(path.join(tmpdir(), "release-plan-"));
    const out = path.join(dir, "plan.json");
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            ["--stack-trace-limit=0", PLAN_CLI, "--stack", stack, "--config", file, "--json", out, "--quiet"],
            { maxBuffer: 64 * 1024 * 1024 },
            (err, _stdout, stderr) => {
                const code = err ? (typeof err.code === "number" ? err.code : 3) : 0;
                let plan: PlanResult["plan"];
                try {
                    plan = JSON.parse(readFileSync(out, "utf8")) as PlanResult["plan"];
                } catch {
                    plan = undefined;
                }
                rmSync(dir, { recursive: true, force: true });
                resolve({ code, stderr: stderr.trim(), plan });
            },
        );
    });
}

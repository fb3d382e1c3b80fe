/**
 * npm run plan -- [--stack NAME] [--config FILE] [--json FILE] [--diagram FILE] [--compare FILE]
 *
 * Exit status: 0 the plan holds; 1 a mandatory policy is violated; 2 the config (or an
 * argument) is invalid, with every problem on stderr and no stack trace, or `--compare` drops
 * a region the current config has not marked `decommission: true`; 3 the program
 * itself failed under the mock runtime (a bug, reported with its cause).
 */
import "./env";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../config/problems";
import { compare, formatComparison, removalProblems } from "./compare";
import { type Plan, planStack } from "./plan";
import { hasBlockingViolation } from "./policyRunner";
import { formatCapacityTable } from "./report/capacityTable";
import { mermaid } from "./report/diagram";
import { formatSteering } from "./report/steeringTable";
import { formatSummary } from "./report/summary";
import { STACK_NAME, type StackConfig, StackConfigError, projectRoot, readConfigFile, readProjectName, readStack } from "./stackConfig";

/** The plan's exit statuses (the QA tools have their own, `TOOL_EXIT` in tools/common.ts). */
export const PLAN_EXIT = { ok: 0, policy: 1, config: 2, failure: 3 } as const;

const USAGE = "usage: npm run plan -- [--stack NAME] [--config FILE] [--json FILE] [--diagram FILE] [--compare FILE] [--quiet]";

class UsageError extends Error {}

interface Options {
    stack: string;
    config?: string;
    json?: string;
    diagram?: string;
    compare?: string;
    quiet: boolean;
}

function parseOptions(argv: string[]): Options {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            options: {
                stack: { type: "string", default: "prod" },
                config: { type: "string" },
                json: { type: "string" },
                diagram: { type: "string" },
                compare: { type: "string" },
                quiet: { type: "boolean", default: false },
                help: { type: "boolean", default: false },
            },
            strict: true,
            allowPositionals: false,
        });
    } catch (err) {
        throw new UsageError(`${(err as Error).message}\n${USAGE}`);
    }
    if (parsed.values.help) {
        process.stdout.write(`${USAGE}\n`);
        process.exit(PLAN_EXIT.ok);
    }
    const v = parsed.values;
    if (!STACK_NAME.test(v.stack!)) throw new UsageError(`--stack "${v.stack}" is not a stack name (letters, digits, - _ .)`);
    return { stack: v.stack!, config: v.config, json: v.json, diagram: v.diagram, compare: v.compare, quiet: v.quiet! };
}

function loadStack(options: Options, root: string): StackConfig {
    if (options.config) return readConfigFile(path.resolve(options.config), readProjectName(root), options.stack);
    return readStack(root, options.stack);
}

/** Plans another config in a child process (the Pulumi runtime is process-global). */
function planInChild(file: string, stack: string): Plan {
    const dir = mkdtempSync(path.join(tmpdir(), "plan-compare-"));
    const out = path.join(dir, "plan.json");
    try {
        execFileSync(process.execPath, [...process.execArgv, __filename, "--stack", stack, "--config", file, "--json", out, "--quiet"], {
            stdio: ["ignore", "ignore", "pipe"],
        });
    } catch (err) {
        const e = err as { status?: number; stderr?: Buffer };
        if (e.status === PLAN_EXIT.config) throw new ConfigErrorText(`--compare ${file}:\n${e.stderr?.toString().trim()}`);
        if (e.status !== PLAN_EXIT.policy)
            throw new Error(`planning --compare ${file} failed:\n${e.stderr?.toString().trim()}`, { cause: err });
    }
    try {
        return JSON.parse(readFileSync(out, "utf8")) as Plan;
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

class ConfigErrorText extends Error {}

export async function main(argv: string[]): Promise<number> {
    try {
        const options = parseOptions(argv);
        const stack = loadStack(options, projectRoot());
        const other = options.compare ? path.resolve(options.compare) : undefined;
        const run = await planStack(stack);
        const { plan } = run;
        if (!options.quiet) process.stdout.write(`${formatSummary(plan, run.fleet)}\n`);
        if (!options.quiet) process.stdout.write(`\n${formatCapacityTable(run.fleet.capacity)}\n`);
        if (!options.quiet) process.stdout.write(`\n${formatSteering(plan.steering)}\n`);
        if (options.json) writeFileSync(options.json, `${JSON.stringify(plan, null, 2)}\n`);
        if (options.diagram) writeFileSync(options.diagram, mermaid(plan, run));
        if (other) {
            const after = planInChild(other, plan.stack);
            const diff = compare(plan, after);
            process.stdout.write(`\n${formatComparison(diff, `${plan.stack}`, path.basename(other))}\n`);
            // A region dropped before it was decommissioned would delete its data: refused.
            const refusals = removalProblems(diff, run.fleet.cells, plan.stack, path.basename(other));
            if (refusals.length > 0) {
                process.stderr.write(`Refused (${refusals.length}):\n${refusals.map((r) => `- ${r}`).join("\n")}\n`);
                return PLAN_EXIT.config;
            }
        }
        return exitCodeOf(plan);
    } catch (err) {
        if (err instanceof ConfigError || err instanceof ConfigErrorText || err instanceof StackConfigError || err instanceof UsageError) {
            process.stderr.write(`${err.message}\n`);
            return PLAN_EXIT.config;
        }
        process.stderr.write(`plan failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        return PLAN_EXIT.failure;
    }
}

/** 1 when a mandatory (or remediate) policy is violated, else 0. */
export function exitCodeOf(plan: Pick<Plan, "policy">): number {
    return hasBlockingViolation(plan.policy.violations) ? PLAN_EXIT.policy : PLAN_EXIT.ok;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}

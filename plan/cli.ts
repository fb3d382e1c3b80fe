/**
 * The offline plan's command line (`npm run plan`; its flags: `npm run plan -- --help`).
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
import { formatPlanTable } from "../regions/cloudflarePlans";
import { formatRecovery } from "../regions/recovery";
import { compare, formatComparison, removalProblems } from "./compare";
import { type Plan, cloudflarePlanOf, planStack } from "./plan";
import { hasBlockingViolation } from "./policyRunner";
import { previewDigest } from "./previewJson";
import { formatCapacityTable } from "./report/capacityTable";
import { formatCostDelta, formatCostTable } from "./report/costTable";
import { mermaid } from "./report/diagram";
import { type HtmlInput, mermaidBundle, renderHtml } from "./report/html";
import { formatSteering } from "./report/steeringTable";
import { formatSummary } from "./report/summary";
import { checkTransitionRules, formatCloudRules } from "./rules";
import { STACK_NAME, type StackConfig, StackConfigError, projectRoot, readConfigFile, readProjectName, readStack } from "./stackConfig";
import { checkStacks, formatShared, repositoryStackNames } from "./stacks";
import { type FlagTable, HELP_FLAG, synopsis, usage } from "./usage";

/** The plan's exit statuses (the QA tools have their own, `TOOL_EXIT` in tools/common.ts). */
export const PLAN_EXIT = { ok: 0, policy: 1, config: 2, failure: 3 } as const;

/** The plan's flags: what parseArgs reads and what `--help` and the README's table show. */
export const PLAN_FLAGS = {
    stack: { type: "string", default: "prod", value: "NAME", description: "plan Pulumi.NAME.yaml" },
    config: { type: "string", value: "FILE", description: "plan the stack with the config in FILE instead (same YAML shape)" },
    json: {
        type: "string",
        value: "FILE",
        description:
            "write the machine-readable plan (resources with URN, type, parent, provider, protect, mock id, inputs; outputs; policy; capacity; steering; cost)",
    },
    diagram: { type: "string", value: "FILE", description: "write a Mermaid diagram of the topology (Markdown)" },
    html: {
        type: "string",
        value: "FILE",
        description:
            "write a self-contained HTML report: summary, capacity, steering, cost, recovery objectives (RPO/RTO), findings (policy, cloud rules, refusals), the rendered diagram, and with --compare the changes (data at risk first)",
    },
    "preview-json": {
        type: "string",
        value: "FILE",
        description:
            "write the plan in the shape of pulumi preview --json (config, steps with op, urn, newState.type and inputs: a create per resource, an import per adopted one, a read per StackReference; changeSummary); with --preview, what a first preview cannot know is the engine's unknown, else the mock's value",
    },
    compare: {
        type: "string",
        value: "FILE",
        description:
            "also plan FILE as the same stack and print what changes: resources added, changed (by input) and removed, by URN, grouped by region",
    },
    preview: {
        type: "boolean",
        default: false,
        description:
            "evaluate as a first pulumi preview: ids and outputs of resources not yet created are unknown; the policy pack reads them as the engine does",
    },
    stacks: {
        type: "string",
        value: "LIST",
        description:
            "check the cross-stack rules (shared Cloudflare zone or account) over these stacks, comma-separated, with this one; none skips the check",
        defaultText: "every Pulumi.*.yaml",
    },
    quiet: {
        type: "boolean",
        default: false,
        description:
            "print no summary, capacity, steering, cost, Cloudflare plan or cross-stack table (the comparison and its cost change still print)",
    },
    help: HELP_FLAG,
} as const satisfies FlagTable;

class UsageError extends Error {}

interface Options {
    help: boolean;
    stack: string;
    config?: string;
    json?: string;
    diagram?: string;
    previewJson?: string;
    html?: string;
    compare?: string;
    preview: boolean;
    /** Stacks for the cross-stack check; undefined: every file; []: none. */
    stacks?: readonly string[];
    quiet: boolean;
}

function parseOptions(argv: string[]): Options {
    let parsed;
    try {
        parsed = parseArgs({ args: argv, options: PLAN_FLAGS, strict: true, allowPositionals: false });
    } catch (err) {
        throw new UsageError(`${(err as Error).message}\n${synopsis("plan", PLAN_FLAGS)}`);
    }
    const values = parsed.values;
    const help = values.help === true;
    if (!help && !STACK_NAME.test(values.stack!))
        throw new UsageError(`--stack "${values.stack}" is not a stack name (letters, digits, - _ .)`);
    return {
        help,
        stack: values.stack!,
        config: values.config,
        json: values.json,
        diagram: values.diagram,
        previewJson: values["preview-json"],
        html: values.html,
        compare: values.compare,
        preview: values.preview!,
        stacks: stacksOption(values.stacks),
        quiet: values.quiet!,
    };
}

function stacksOption(value: string | undefined): readonly string[] | undefined {
    if (value === undefined) return undefined;
    if (value === "none") return [];
    const names = value.split(",").map((n) => n.trim());
    const bad = names.filter((n) => !STACK_NAME.test(n));
    if (bad.length > 0)
        throw new UsageError(`--stacks "${value}": ${bad.map((b) => `"${b}"`).join(", ")} is not a stack name (letters, digits, - _ .)`);
    return names;
}

function loadStack(options: Options, root: string): StackConfig {
    if (options.config) return readConfigFile(path.resolve(options.config), readProjectName(root), options.stack);
    return readStack(root, options.stack);
}

/** Plans another config in a child process (the Pulumi runtime is process-global). */
function planInChild(file: string, stack: string, preview: boolean): Plan {
    const dir = mkdtempSync(path.join(tmpdir(), "plan-compare-"));
    const out = path.join(dir, "plan.json");
    try {
        execFileSync(
            process.execPath,
            [
                ...process.execArgv,
                __filename,
                "--stack",
                stack,
                "--config",
                file,
                "--json",
                out,
                "--quiet",
                "--stacks",
                "none",
                ...(preview ? ["--preview"] : []),
            ],
            { stdio: ["ignore", "ignore", "pipe"] },
        );
    } catch (err) {
        const child = err as { status?: number; stderr?: Buffer };
        if (child.status === PLAN_EXIT.config) throw new ConfigErrorText(`--compare ${file}:\n${child.stderr?.toString().trim()}`);
        if (child.status !== PLAN_EXIT.policy)
            throw new Error(`planning --compare ${file} failed:\n${child.stderr?.toString().trim()}`, { cause: err });
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
        if (options.help) {
            process.stdout.write(`${usage("plan", PLAN_FLAGS)}\n`);
            return PLAN_EXIT.ok;
        }
        const root = projectRoot();
        const stack = loadStack(options, root);
        const other = options.compare ? path.resolve(options.compare) : undefined;
        const plans = new Map<string, Plan>();
        const run = await planStack(stack, { plans, preview: options.preview });
        const { plan } = run;
        if (!options.quiet) process.stdout.write(`${formatSummary(plan, run.fleet)}\n`);
        if (!options.quiet) process.stdout.write(`\n${formatCapacityTable(run.fleet.capacity)}\n`);
        if (!options.quiet) process.stdout.write(`\n${formatSteering(plan.steering)}\n`);
        if (!options.quiet) process.stdout.write(`\n${formatCostTable(plan.cost)}\n`);
        if (!options.quiet) process.stdout.write(`\n${formatRecovery(plan.recovery)}\n`);
        if (!options.quiet)
            process.stdout.write(`\nCloudflare plan of this stack's edge\n${formatPlanTable(cloudflarePlanOf(run.config).requirements)}\n`);
        // Every stack of the repository with this one: what would collide on a shared zone or account.
        const names = options.stacks ?? repositoryStackNames(root);
        if (options.stacks === undefined || names.length > 0) {
            const report = await checkStacks(root, names, { stack, plan, config: run.config }, plans);
            if (!options.quiet) process.stdout.write(`\n${formatShared(report, [...new Set([stack.stack, ...names])])}\n`);
            if (report.problems.length > 0) {
                process.stderr.write(
                    `Refused: the stack files collide (${report.problems.length}):\n${report.problems.map((p) => `- ${p}`).join("\n")}\n`,
                );
                return PLAN_EXIT.config;
            }
        }
        if (!options.quiet || plan.cloudRules.violations.length > 0)
            process.stdout.write(`\n${formatCloudRules(plan.cloudRules, "plan")}\n`);
        if (options.json) writeFileSync(options.json, `${JSON.stringify(plan, null, 2)}\n`);
        if (options.diagram) writeFileSync(options.diagram, mermaid(plan, run));
        if (options.previewJson) writeFileSync(options.previewJson, `${JSON.stringify(previewDigest(stack, run.evaluation), null, 4)}\n`);
        let comparison: HtmlInput["comparison"];
        if (other) {
            const after = planInChild(other, plan.stack, options.preview);
            const diff = compare(plan, after);
            process.stdout.write(`\n${formatComparison(diff, `${plan.stack}`, path.basename(other))}\n`);
            // What the real APIs refuse in this update (ignoreChanges applied as the engine applies them).
            const transition = checkTransitionRules(plan, after);
            process.stdout.write(`\n${formatCloudRules(transition, "transition")}\n`);
            process.stdout.write(`\n${formatCostDelta(plan.cost, after.cost)}\n`);
            // A region dropped before it was decommissioned would delete its data: refused.
            const refusals = removalProblems(diff, run.fleet.cells, plan.stack, path.basename(other));
            // The report shows what blocks the update too: written before any refusal returns.
            const blocking = {
                violations: [...transition.violations, ...after.cloudRules.violations],
                known: [...transition.known, ...after.cloudRules.known],
            };
            comparison = { name: path.basename(other), diff, cost: after.cost, transition: blocking, refusals };
            if (options.html) writeFileSync(options.html, renderHtml({ plan, stack: run, comparison, mermaidJs: mermaidBundle() }));
            if (refusals.length > 0) {
                process.stderr.write(`Refused (${refusals.length}):\n${refusals.map((r) => `- ${r}`).join("\n")}\n`);
                return PLAN_EXIT.config;
            }
            // The plan of `after` is checked too: its own plan rules (the child's exit 1 is not fatal here).
            if (transition.violations.length > 0 || after.cloudRules.violations.length > 0) return PLAN_EXIT.policy;
        }
        if (options.html && !other) writeFileSync(options.html, renderHtml({ plan, stack: run, comparison, mermaidJs: mermaidBundle() }));
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

/** 1 when a mandatory (or remediate) policy or a cloud rule (not a known violation) is violated, else 0. */
export function exitCodeOf(plan: Pick<Plan, "policy"> & { cloudRules?: Plan["cloudRules"] }): number {
    const cloud = plan.cloudRules?.violations.length ?? 0;
    return hasBlockingViolation(plan.policy.violations) || cloud > 0 ? PLAN_EXIT.policy : PLAN_EXIT.ok;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}

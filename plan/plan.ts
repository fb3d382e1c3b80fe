/**
 * The offline plan: validates a stack's config, evaluates the real program (`index.ts`)
 * on the mock runtime and shapes the result as the design's plan JSON.
 */
import * as path from "node:path";
import { type PlatformConfig, namespaceValues, parseConfig } from "../config/platform";
import { type CapacityPlan } from "../regions/capacity";
import { type SteeringCell } from "../regions/steering";
import { type PackConfig, checkPolicies, readPackConfig } from "./policyRunner";
import { type PlanSteering, steeringOf } from "./report/steeringTable";
import { type Evaluation, type RecordedResource, evaluate } from "./runtime";
import { type StackConfig, projectRoot } from "./stackConfig";

export interface PlanResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent: string | null;
    readonly custom: boolean;
    readonly provider: string | null;
    readonly protect: boolean;
    /** Deleting it from the stack leaves it in the cloud (a decommissioning cell's data). */
    readonly retainOnDelete: boolean;
    /** Inputs the engine keeps at their old value: a change to them does nothing. */
    readonly ignoreChanges: readonly string[];
    readonly inputs: Record<string, unknown>;
}

export interface PolicyViolation {
    readonly policy: string;
    readonly enforcementLevel: "advisory" | "mandatory" | "remediate" | "disabled";
    readonly urn?: string;
    readonly message: string;
}

export interface Plan {
    readonly project: string;
    readonly stack: string;
    readonly resources: PlanResource[];
    readonly outputs: Record<string, unknown>;
    readonly policy: { violations: PolicyViolation[] };
    readonly capacity: Record<string, unknown>;
    /** Traffic steering of the load balancer, computed from the config's cells. */
    readonly steering: PlanSteering;
}

export interface PlanRun {
    readonly config: PlatformConfig;
    readonly evaluation: Evaluation;
    readonly plan: Plan;
    /** The failover-aware capacity model of `config` (also the plan JSON's `capacity`). */
    readonly capacity: CapacityPlan;
}

/** Where the compiled or source program lives: `index` beside this folder. */
const PROGRAM = path.join(__dirname, "..", "index");

export interface PlanOptions {
    /** The policy pack config; default: `policy/config/<stack>.json`, or none. */
    readonly packConfig?: PackConfig;
}

/**
 * Validates `stack` (throws ConfigError before anything runs), evaluates the program, then
 * runs the policy pack over what it registered. Config problems are found by the same
 * function the program itself calls.
 */
export async function planStack(stack: StackConfig, options: PlanOptions = {}): Promise<PlanRun> {
    const config = parseConfig(namespaceValues(stack.config), stack.config["aws:region"]);
    const evaluation = await evaluate(
        { project: stack.project, stack: stack.stack, config: stack.config, secretKeys: stack.secretKeys },
        () => {
            delete require.cache[require.resolve(PROGRAM)];
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program is evaluated afresh on every plan
            return require(PROGRAM);
        },
    );
    const violations = await checkPolicies(evaluation.resources, {
        config: options.packConfig ?? readPackConfig(projectRoot(), stack.stack),
    });
    return { config, evaluation, capacity: config.fleet, plan: toPlan(evaluation, config, config.fleet, violations) };
}

/** The plan JSON: `steering` is computed from the config's cells, `capacity` given by the caller. */
export function toPlan(
    evaluation: Evaluation,
    config: { readonly cells: readonly (SteeringCell & { readonly decommission?: boolean })[] },
    capacity?: CapacityPlan,
    violations: PolicyViolation[] = [],
): Plan {
    return {
        project: evaluation.project,
        stack: evaluation.stack,
        resources: evaluation.resources.map(toPlanResource),
        outputs: evaluation.outputs,
        policy: { violations },
        capacity: capacity ?? {},
        steering: steeringOf(config),
    };
}

function toPlanResource(r: RecordedResource): PlanResource {
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent,
        custom: r.custom,
        provider: r.provider,
        protect: r.protect,
        retainOnDelete: r.retainOnDelete,
        ignoreChanges: r.ignoreChanges,
        inputs: r.inputs,
    };
}

/** The cell (region code) a resource belongs to: its nearest RegionalCell ancestor, else null. */
export function cellOf(
    resources: readonly { urn: string; type: string; name: string; parent: string | null }[],
): Map<string, string | null> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const result = new Map<string, string | null>();
    const find = (urn: string | null): string | null => {
        if (urn === null) return null;
        if (result.has(urn)) return result.get(urn)!;
        const r = byUrn.get(urn);
        const cell = !r ? null : r.type === "platform:cell:RegionalCell" ? r.name : find(r.parent);
        result.set(urn, cell);
        return cell;
    };
    for (const r of resources) find(r.urn);
    return result;
}

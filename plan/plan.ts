/**
 * The offline plan: validates a stack's config, evaluates the real program (`index.ts`)
 * on the mock runtime and shapes the result as the design's plan JSON.
 */
import * as path from "node:path";
import { namespaceValues } from "../config/platform";
import { type CapacityPlan } from "../regions/capacity/sizing";
import { type Fleet } from "../regions/fleet";
import { type SteeringPlan } from "../regions/steering";
import { type Stack, parseStack } from "../stack/parse";
import { type PackConfig, type PolicyViolation, checkPolicies, readPackConfig } from "./policyRunner";
import { type Evaluation, type RecordedResource, evaluate } from "./runtime";
import { type StackConfig, projectRoot } from "./stackConfig";

/** A registered resource as the plan JSON shows it (the recorded one without its clear-text inputs). */
export type PlanResource = Omit<RecordedResource, "rawInputs" | "dependencies" | "aliases">;

export interface Plan {
    readonly project: string;
    readonly stack: string;
    readonly resources: PlanResource[];
    readonly outputs: Record<string, unknown>;
    readonly policy: { violations: PolicyViolation[] };
    /** The fleet's capacity plan. */
    readonly capacity: CapacityPlan | Record<string, never>;
    /** The fleet's steering plan: what the load balancer sends where. */
    readonly steering: SteeringPlan;
}

export interface PlanRun extends Stack {
    readonly evaluation: Evaluation;
    readonly plan: Plan;
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
    const parsed = parseStack(namespaceValues(stack.config), stack.config["aws:region"]);
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
    return { ...parsed, evaluation, plan: toPlan(evaluation, parsed.fleet, violations) };
}

/** The plan JSON of an evaluation and the fleet it was evaluated from. */
export function toPlan(evaluation: Evaluation, fleet: Pick<Fleet, "capacity" | "steering">, violations: PolicyViolation[] = []): Plan {
    return {
        project: evaluation.project,
        stack: evaluation.stack,
        resources: evaluation.resources.map(toPlanResource),
        outputs: evaluation.outputs,
        policy: { violations },
        capacity: fleet.capacity,
        steering: fleet.steering,
    };
}

function toPlanResource(r: RecordedResource): PlanResource {
    const { rawInputs: _raw, dependencies: _deps, aliases: _aliases, ...shown } = r;
    return shown;
}

/** The cell (region code) a resource belongs to: its nearest RegionalCell ancestor, else null. */
export function cellCodes(
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

/**
 * The offline plan: validates a stack's config, evaluates the real program (`index.ts`)
 * on the mock runtime and shapes the result as the design's plan JSON.
 */
import * as path from "node:path";
import { edgeFeatures, namespaceValues } from "../config/platform";
import { type CapacityPlan } from "../regions/capacity/sizing";
import { type CloudflarePlan, type PlanRequirement, planRequirements, requiredAddOns, requiredPlan } from "../regions/cloudflarePlans";
import { type Fleet } from "../regions/fleet";
import { type RecoveryPlan, recoveryPlan, rpoBounded } from "../regions/recovery";
import { type SteeringPlan } from "../regions/steering";
import { type Stack, parseStack } from "../stack/parse";
import { type CostEstimate, estimateCost } from "./cost/estimate";
import { registerStackOutputs } from "./mocks";
import { type PackConfig, type PolicyViolation, checkPolicies, readPackConfig } from "./policyRunner";
import { type CloudRuleReport, checkPlanRules } from "./rules";
import { type Evaluation, PLAN_ORGANIZATION, type RecordedResource, evaluate } from "./runtime";
import { type StackConfig, projectRoot, readStack } from "./stackConfig";

/** A registered resource as the plan JSON shows it (the recorded one without its clear-text inputs). */
export type PlanResource = Omit<RecordedResource, "rawInputs" | "aliases">;

export interface Plan {
    readonly project: string;
    readonly stack: string;
    /** Evaluated as a first `pulumi preview` (`--preview`): unknown outputs of resources not created yet. */
    readonly preview: boolean;
    readonly resources: PlanResource[];
    readonly outputs: Record<string, unknown>;
    readonly policy: { violations: PolicyViolation[] };
    /** The clouds' own rules (regions/cloudRules.ts) on this plan: violations fail it like a mandatory policy. */
    readonly cloudRules: CloudRuleReport;
    /** The fleet's capacity plan. */
    readonly capacity: CapacityPlan | Record<string, never>;
    /** The fleet's steering plan: what the load balancer sends where. */
    readonly steering: SteeringPlan;
    /** RPO and RTO of the data tier per failure, each with what it rests on (docs/database.md). */
    readonly recovery: RecoveryPlan;
    /**
     * What the edge declares for the hostname (the program's `edgeSettings` output): SSL mode,
     * the API cache rule's origin-respecting mode, Tiered Cache, zone role, steering, write route;
     * and the Cloudflare plan it needs (docs/edge.md).
     */
    readonly edge: Record<string, unknown>;
    /** The monthly cost at minimum and worst-case scale, per cell and in total (plan/cost, docs/cost.md). */
    readonly cost: CostEstimate;
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
    /**
     * Plans of other stacks already made (by stack name): a zone owner's tenants are taken from
     * here, else planned first from their `Pulumi.<stack>.yaml`.
     */
    readonly plans?: Map<string, Plan>;
    /**
     * Evaluate as a first `pulumi preview`: every resource is new, its id and outputs unknown; the
     * pack then reads props as the engine does in a preview. Tenants' outputs are read as deployed
     * (a StackReference reads the other stack's last update). @default false
     */
    readonly preview?: boolean;
}

/** Tenants' plans by file and content: a process that plans several owners (the tests) plans each tenant once. */
const TENANT_PLANS = new Map<string, Plan>();

/** The outputs a zone's owner reads from each tenant (index.ts, `tenantRules`). */
export const TENANT_OUTPUTS = ["edgeZoneRules", "edgeOriginAuthToken"] as const;

/**
 * Validates `stack` (throws ConfigError before anything runs), evaluates the program, then
 * runs the policy pack over what it registered. Config problems are found by the same
 * function the program itself calls.
 */
export async function planStack(stack: StackConfig, options: PlanOptions = {}): Promise<PlanRun> {
    const parsed = parseStack(namespaceValues(stack.config), stack.config["aws:region"]);
    // A zone's owner reads its tenants' zone rules from their stack outputs: plan them first.
    for (const tenant of parsed.config.cloudflare.zoneTenants) {
        const file = readStack(projectRoot(), tenant);
        const memo = `${file.source}\n${JSON.stringify(file.config)}`;
        const known = options.plans?.get(tenant) ?? TENANT_PLANS.get(memo);
        const tenantPlan = known ?? (await planStack(file, { plans: options.plans })).plan;
        options.plans?.set(tenant, tenantPlan);
        TENANT_PLANS.set(memo, tenantPlan);
        const outputs = Object.fromEntries(TENANT_OUTPUTS.map((key) => [key, tenantPlan.outputs[key]]));
        registerStackOutputs(`${PLAN_ORGANIZATION}/${stack.project}/${tenant}`, outputs, ["edgeOriginAuthToken"]);
    }
    const evaluation = await evaluate(
        { project: stack.project, stack: stack.stack, config: stack.config, secretKeys: stack.secretKeys, preview: options.preview },
        () => {
            delete require.cache[require.resolve(PROGRAM)];
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program is evaluated afresh on every plan
            return require(PROGRAM);
        },
    );
    const violations = await checkPolicies(evaluation.resources, {
        config: options.packConfig ?? readPackConfig(projectRoot(), stack.stack),
        preview: options.preview,
    });
    const plan = toPlan(
        evaluation,
        parsed.fleet,
        violations,
        parsed.config.cloudflare,
        rpoBounded(parsed.config.data.rpoBound, parsed.fleet),
    );
    return { ...parsed, evaluation, plan: { ...plan, edge: { ...plan.edge, cloudflarePlan: cloudflarePlanOf(parsed.config) } } };
}

/** The Cloudflare plan a stack's edge needs, beside the one it declares. */
export interface CloudflarePlanNeeds {
    readonly declared: CloudflarePlan;
    readonly required: CloudflarePlan | undefined;
    readonly addOns: readonly string[];
    readonly requirements: readonly PlanRequirement[];
}

export function cloudflarePlanOf(config: Stack["config"]): CloudflarePlanNeeds {
    const requirements = planRequirements(edgeFeatures(config.domain, config.cloudflare, config.edge));
    return { declared: config.cloudflare.plan, required: requiredPlan(requirements), addOns: requiredAddOns(requirements), requirements };
}

/** The plan JSON of an evaluation and the fleet it was evaluated from. */
export function toPlan(
    evaluation: Evaluation,
    fleet: Pick<Fleet, "capacity" | "steering">,
    violations: PolicyViolation[] = [],
    cloudflare: Pick<Stack["config"]["cloudflare"], "plan" | "zoneOwner">,
    /** Whether the primary bounds the region-loss RPO (regions/recovery.ts rpoBounded). */
    rpoBound = true,
): Plan {
    const resources = evaluation.resources.map(toPlanResource);
    return {
        project: evaluation.project,
        stack: evaluation.stack,
        preview: evaluation.preview,
        resources,
        outputs: evaluation.outputs,
        policy: { violations },
        cloudRules: checkPlanRules(resources),
        capacity: fleet.capacity,
        steering: fleet.steering,
        recovery: recoveryPlan(rpoBound),
        edge: (evaluation.outputs.edgeSettings ?? {}) as Record<string, unknown>,
        cost: costOf(resources, fleet.capacity, cloudflare),
    };
}

/** The cost estimate of a plan's resources under the capacity plan's users. */
export function costOf(
    resources: readonly PlanResource[],
    capacity: Fleet["capacity"],
    cloudflare: Pick<Stack["config"]["cloudflare"], "plan" | "zoneOwner">,
): CostEstimate {
    return estimateCost({
        resources,
        cellOf: cellCodes(resources),
        cells: capacity.cells.map((c) => ({
            code: c.code,
            region: c.region,
            primary: c.primary,
            normalUsers: c.normalUsers,
            worstCaseUsers: c.worstCaseUsers,
            apiNodes: {
                range: { min: c.nodesPerAz.min * c.azs, worstCase: c.nodesPerAz.max * c.azs },
                instanceType: capacity.node.instanceType,
            },
        })),
        targetConcurrentUsers: capacity.targetConcurrentUsers,
        cloudflare: { plan: cloudflare.plan, zoneOwner: cloudflare.zoneOwner },
    });
}

function toPlanResource(r: RecordedResource): PlanResource {
    const { rawInputs: _raw, aliases: _aliases, ...shown } = r;
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

/**
 * The failover model: for each standby cell, the Region switch plan that makes it the Aurora
 * writer's home, and how far its API must scale first. Pure, from the one `Fleet`.
 *
 * ARC Region switch plans span exactly two Regions (CreatePlan `regions`: "Fixed number of 2
 * items", ARC API reference, read 2026-12-02), so a stack of n serving cells gets n − 1 plans:
 * primary → each standby. The EKS scaling block scales "relative to the capacity in the Region
 * that is being deactivated" (ARC guide, "Amazon EKS resource scaling execution block"), so the
 * target is the pods the activating cell needs once the lost cell's users land on it (the
 * capacity model's routing with that one cell failed) over the pods the lost cell runs normally.
 */
import { routeUsers } from "./capacity/routing";
import { type Fleet, type FleetCell } from "./fleet";

/** Plan names: 1–32 characters, `[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?` (CreatePlan `name`). */
export const PLAN_NAME_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/;

/** One standby's plan: primary → `activating`. */
export interface SwitchPlanModel {
    /** `<project>-<stack>-to-<code>`, unique per account. */
    readonly name: string;
    /** The primary cell, deactivated when the plan runs. */
    readonly deactivating: FleetCell;
    /** The standby that becomes the writer's home. */
    readonly activating: FleetCell;
    /** Users the activating cell carries with the deactivating cell down. */
    readonly usersAfter: number;
    /** Pods the activating cell needs then: at least its HPA floor, at most its ceiling. */
    readonly podsAfter: number;
    /** Pods the deactivating cell runs normally (its HPA floor): what ARC measures it against. */
    readonly sourcePods: number;
    /** `podsAfter / sourcePods`, in whole percent, rounded up. */
    readonly targetPercent: number;
    /** Failback: the primary back to its normal pods, measured against the standby's `podsAfter`. */
    readonly failbackPercent: number;
    /**
     * The most pods ARC may ask of the activating cell: `targetPercent` of the most the
     * deactivating cell can have run in the 24 hours ARC samples (`sampledMaxInLast24Hours`, the
     * API's only approach; EksResourceScalingConfiguration in the ARC API reference), its HPA
     * ceiling. The activating cell's HPA ceiling is raised to it (stack/args.ts): a target above
     * `maxReplicas` is one the HPA cannot hold (Kubernetes refuses `minReplicas` above
     * `maxReplicas`), and a scale step that fails stops the whole workflow before the Aurora and
     * edge steps.
     */
    readonly arcCeiling: number;
}

export function switchPlanName(project: string, stack: string, code: string): string {
    return `${project}-${stack}-to-${code}`;
}

/** Problems with the plan names of a stack (checked with the config, before any resource). */
export function switchPlanProblems(project: string, stack: string, fleet: Fleet, usersPerPod?: number): string[] {
    const ceilings = usersPerPod === undefined ? [] : ceilingProblems(switchPlans(project, stack, fleet, usersPerPod), fleet);
    return [...ceilings, ...namingProblems(project, stack, fleet)];
}

function namingProblems(project: string, stack: string, fleet: Fleet): string[] {
    return standbys(fleet)
        .map((cell) => switchPlanName(project, stack, cell.code))
        .filter((name) => !PLAN_NAME_PATTERN.test(name))
        .map(
            (name) =>
                `Region switch plan name "${name}" (${name.length} characters) is not 1–32 letters, digits and inner hyphens: use a shorter stack name`,
        );
}

/** The serving cells other than the primary, in config order. */
export function standbys(fleet: Fleet): FleetCell[] {
    return fleet.serving.filter((cell) => !cell.primary);
}

/** One plan per standby; none when the primary is the only serving cell. */
export function switchPlans(project: string, stack: string, fleet: Fleet, usersPerPod: number): SwitchPlanModel[] {
    const serving = fleet.serving.map((c) => c.region);
    const lost = fleet.primary;
    const after = routeUsers(fleet.usersByCloudflareRegion, fleet.steering.regions, serving, new Set([lost.region])).byRegion;
    return standbys(fleet).map((activating) => {
        const usersAfter = after.get(activating.region) ?? 0;
        const { pods } = activating.capacity;
        const podsAfter = Math.min(pods.max, Math.max(pods.min, Math.ceil(usersAfter / usersPerPod)));
        const sourcePods = lost.capacity.pods.min;
        const targetPercent = Math.ceil((100 * podsAfter) / sourcePods);
        // The most the activating cell's HPA must admit: the percent of the deactivating cell's
        // highest possible sample, its own ceiling (never raised: see failbackPercent).
        const arcCeiling = Math.max(pods.max, Math.ceil((targetPercent * lost.capacity.pods.max) / 100));
        return {
            name: switchPlanName(project, stack, activating.code),
            deactivating: lost,
            activating,
            usersAfter,
            podsAfter,
            sourcePods,
            targetPercent,
            // Back to the primary's normal pods from the standby's normal peak, but never more than
            // the primary's ceiling from the standby's highest possible sample (its raised ceiling):
            // so the primary's own ceiling needs no raise, and no raise feeds back into the first.
            failbackPercent: Math.min(Math.ceil((100 * sourcePods) / podsAfter), Math.floor((100 * lost.capacity.pods.max) / arcCeiling)),
            arcCeiling,
        };
    });
}

/**
 * Each cell's HPA ceiling: the capacity model's, and for a standby its plan's `arcCeiling`. The
 * primary's is its model's: the failback's percent is bounded so that it never asks more
 * (`failbackPercent`), so the ceilings are final in one pass. A ceiling above `maxPodsPerCell`
 * is refused with the config (`ceilingProblems`), not capped: a capped one would fail the scale
 * step, and with it the workflow.
 */
export function hpaCeilings(plans: readonly SwitchPlanModel[], fleet: Fleet): ReadonlyMap<string, number> {
    const ceilings = new Map(fleet.cells.map((cell) => [cell.region, cell.capacity.pods.max]));
    for (const p of plans) ceilings.set(p.activating.region, Math.max(ceilings.get(p.activating.region)!, p.arcCeiling));
    return ceilings;
}

/** The ceilings a plan needs beyond what a cell's nodes may hold: the stack's config must change. */
export function ceilingProblems(plans: readonly SwitchPlanModel[], fleet: Fleet): string[] {
    const most = fleet.capacity.maxPodsPerCell;
    return plans
        .filter((p) => p.arcCeiling > most)
        .map(
            (p) =>
                `the Region switch plan ${p.name} may ask ${p.arcCeiling} API pods of ${p.activating.region} (${p.targetPercent} % of the most ${p.deactivating.region} can run), above the ${most} its nodes hold at capacity.maxNodesPerCell: raise maxNodesPerCell, or add a region so that each carries less`,
        );
}

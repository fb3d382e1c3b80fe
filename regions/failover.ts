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
export function switchPlanProblems(project: string, stack: string, fleet: Fleet): string[] {
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
        return {
            name: switchPlanName(project, stack, activating.code),
            deactivating: lost,
            activating,
            usersAfter,
            podsAfter,
            sourcePods,
            targetPercent,
            failbackPercent: Math.ceil((100 * sourcePods) / podsAfter),
            arcCeiling: Math.ceil((targetPercent * lost.capacity.pods.max) / 100),
        };
    });
}

/**
 * Each cell's HPA ceiling: the capacity model's, raised where a Region switch plan may ask for
 * more, at most `maxPodsPerCell`. A standby is raised to its plan's `arcCeiling` (the primary at
 * its model ceiling); the primary then to what the failback may ask, `failbackPercent` of the
 * standby's raised ceiling. One pass each way: a peak beyond a cell's own ceiling cannot be
 * sampled, so the ceilings cover every target the plans can compute from the cells as planned.
 */
export function hpaCeilings(plans: readonly SwitchPlanModel[], fleet: Fleet): ReadonlyMap<string, number> {
    const cap = (n: number) => Math.min(fleet.capacity.maxPodsPerCell, n);
    const ceilings = new Map(fleet.cells.map((cell) => [cell.region, cell.capacity.pods.max]));
    for (const p of plans) ceilings.set(p.activating.region, cap(Math.max(ceilings.get(p.activating.region)!, p.arcCeiling)));
    for (const p of plans) {
        const back = Math.ceil((p.failbackPercent * ceilings.get(p.activating.region)!) / 100);
        ceilings.set(p.deactivating.region, cap(Math.max(ceilings.get(p.deactivating.region)!, back)));
    }
    return ceilings;
}

/** Helm releases of the tiers: every one installs a pinned chart, atomically. */
import type * as pulumi from "@pulumi/pulumi";
import { type ChartPin } from "../regions/versions";

/**
 * The chart fields of the Helm release `name` of `pin` in `namespace`: chart, version and
 * repository from the pin, and atomic (a failed install or upgrade is rolled back).
 */
export function pinnedRelease(pin: ChartPin, namespace: pulumi.Input<string>, name: string) {
    return { chart: pin.chart, version: pin.version, repositoryOpts: { repo: pin.repository }, namespace, name, atomic: true };
}

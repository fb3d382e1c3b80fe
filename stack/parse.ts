/**
 * The stack as the program sees it: its config parsed (`config/`), then its fleet derived
 * (`regions/fleet.ts`), one after the other, with every problem of either reported at once
 * before any resource is declared. Pure: the program (`stack/load.ts`), the offline plan and
 * the QA tools call it without loading the Pulumi SDK.
 */
import { ConfigError, NAMESPACE, type PlatformConfig, type Raw, parseConfig } from "../config/platform";
import { type Fleet, planFleet } from "../regions/fleet";

export interface Stack {
    readonly config: PlatformConfig;
    readonly fleet: Fleet;
}

/**
 * Parses `raw` (the `platform:` values by key) and derives the fleet.
 * @throws ConfigError listing every problem: the config's, or else the fleet's limits.
 */
export function parseStack(raw: Raw, awsRegion: string | undefined): Stack {
    const config = parseConfig(raw, awsRegion);
    const { fleet, problems } = planFleet({
        cells: config.cells,
        homeRegion: config.data.homeRegion,
        capacity: config.capacity,
        traffic: config.traffic,
        sizing: {
            instanceType: config.compute.instanceTypes[0],
            podCpuMillis: config.compute.podCpuMillicores,
            podMemoryMiB: config.compute.podMemoryMiB,
        },
        cacheReplicasPerShard: config.data.cache.replicasPerShard,
    });
    if (problems.length > 0) throw new ConfigError(problems.map((p) => ({ path: `${NAMESPACE}:${p.key}`, message: p.message })));
    return { config, fleet };
}

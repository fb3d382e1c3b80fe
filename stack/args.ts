/**
 * The wiring's one map from the stack (config and fleet) onto each component's own args: the
 * only place besides `config/` that knows the config schema.
 */
import type * as pulumi from "@pulumi/pulumi";
import { type RegionalCellArgs } from "../components/cell/regionalCell";
import { type CloudflareRanges } from "../components/compute/originIngress";
import { type GlobalDatabase } from "../components/data/globalDatabase";
import { type EdgeArgs, type EdgeCell } from "../components/edge/edge";
import { type FleetCell } from "../regions/fleet";
import { clusterName } from "../regions/naming";
import { type Stack } from "./parse";

/** What every cell shares, declared once by the program before the cells. */
export interface CellShared {
    readonly project: string;
    readonly stack: string;
    readonly certificateArn: (region: string) => pulumi.Input<string>;
    readonly originAuthToken: pulumi.Input<string>;
    readonly cloudflare: CloudflareRanges;
    readonly globalDatabase: GlobalDatabase;
    readonly accountId: pulumi.Input<string>;
    /** Secondaries: the primary cell's `readyForSecondaries`. */
    readonly databaseDependsOn?: readonly pulumi.Resource[];
}

export function regionalCellArgs({ config }: Stack, cell: FleetCell, shared: CellShared): RegionalCellArgs {
    const { compute, app, data, observability } = config;
    const { capacity } = cell;
    return {
        region: cell.region,
        primary: cell.primary,
        cidr: cell.cidr,
        azs: cell.azs,
        clusterName: clusterName(shared.project, shared.stack, cell.code),
        kubernetes: {
            version: compute.kubernetesVersion,
            adminRoleArn: compute.adminRoleArn,
            publicAccessCidrs: compute.publicAccessCidrs,
        },
        nodes: { instanceTypes: compute.instanceTypes, rootVolumeGiB: compute.rootVolumeGiB, perAz: capacity.nodesPerAz },
        api: {
            image: app.image,
            port: app.port,
            healthPath: app.healthPath,
            cpuMillicores: compute.podCpuMillicores,
            memoryMiB: compute.podMemoryMiB,
            replicas: capacity.pods,
        },
        database: {
            instanceClass: data.instanceClass,
            port: data.port,
            backupRetentionDays: data.backupRetentionDays,
            readers: capacity.readers,
        },
        cache: {
            engineVersion: data.cache.engineVersion,
            nodeType: data.cache.nodeType,
            shards: capacity.cacheShards,
            replicasPerShard: data.cache.replicasPerShard,
            snapshotRetentionDays: data.cache.snapshotRetentionDays,
        },
        observability: {
            logRetentionDays: observability.logRetentionDays,
            opensearch: observability.opensearch,
            prometheus: observability.prometheus,
            alertWebhookUrl: observability.alertWebhookUrl,
        },
        certificateArn: shared.certificateArn(cell.region),
        domain: config.domain,
        originAuthToken: shared.originAuthToken,
        cloudflare: shared.cloudflare,
        globalDatabase: shared.globalDatabase,
        databaseDependsOn: cell.primary ? undefined : shared.databaseDependsOn,
        accountId: shared.accountId,
    };
}

/** The edge over the serving cells (their ALBs as `originHostname`), with the fleet's steering. */
export function edgeArgs({ config, fleet }: Stack, cells: readonly EdgeCell[], originAuthToken: pulumi.Input<string>): EdgeArgs {
    return {
        ...config.edge,
        domain: config.domain,
        accountId: config.cloudflare.accountId,
        zoneId: config.cloudflare.zoneId,
        healthPath: config.app.healthPath,
        cells,
        steering: fleet.steering,
        originAuthToken,
    };
}

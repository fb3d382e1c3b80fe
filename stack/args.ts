/**
 * The wiring's one map from the stack (config and fleet) onto each component's own args: the
 * only place besides `config/` that knows the config schema.
 */
import type * as pulumi from "@pulumi/pulumi";
import { type RegionalCellArgs } from "../components/cell/regionalCell";
import { type CloudflareRanges } from "../components/compute/originIngress";
import { airGappedVaultName, backupVaultName } from "../components/data/backups";
import { type GlobalDatabase } from "../components/data/globalDatabase";
import { type EdgeArgs, type EdgeCell, type ZoneRole } from "../components/edge/edge";
import { type HostnameRules } from "../components/edge/rules";
import { nodesPerAzFor } from "../regions/capacity/nodes";
import { hpaCeilings, switchPlans } from "../regions/failover";
import { type FleetCell } from "../regions/fleet";
import { imageIn, parseEcrImage } from "../regions/image";
import { cellPhysicalPrefix, clusterName, logDomainName } from "../regions/naming";
import { rpoBounded } from "../regions/recovery";
import { type Stack } from "./parse";

/** What every cell shares, declared once by the program before the cells. */
export interface CellShared {
    readonly project: string;
    readonly stack: string;
    readonly certificateArn: (region: string) => pulumi.Input<string>;
    /** The origin-auth values the ALBs accept (both slots). */
    readonly originAuthTokens: pulumi.Input<string>[];
    readonly cloudflare: CloudflareRanges;
    readonly globalDatabase: GlobalDatabase;
    readonly accountId: pulumi.Input<string>;
    /** The IAM role (or user) running `pulumi up`, when `platform:compute.deployRoleArn` is unset. */
    readonly deployerArn: pulumi.Input<string>;
    /** Secondaries: the primary cell's `readyForSecondaries`. */
    readonly databaseDependsOn?: readonly pulumi.Resource[];
}

export function regionalCellArgs(stack: Stack, cell: FleetCell, shared: CellShared): RegionalCellArgs {
    const { config } = stack;
    const copyCell = stack.fleet.serving.find((c) => c.region !== cell.region);
    const { compute, app, data, observability } = config;
    const { capacity } = cell;
    // The HPA's ceiling and Karpenter's limits hold what a Region switch plan may ask (regions/failover.ts).
    const plans = switchPlans(shared.project, shared.stack, stack.fleet, config.capacity.usersPerPod);
    const maxPods = hpaCeilings(plans, stack.fleet).get(cell.region)!;
    const nodesPerAz = {
        min: capacity.nodesPerAz.min,
        max: nodesPerAzFor(maxPods, cell.zoneIds.length, stack.fleet.capacity.node.podsPerNode),
    };
    // The cell's own values while a release is under way (docs/releases.md), else the stack's.
    const release = config.cellReleases[cell.region];
    return {
        region: cell.region,
        primary: cell.primary,
        cidr: cell.cidr,
        zoneIds: cell.zoneIds,
        clusterName: clusterName(shared.project, shared.stack, cell.code),
        kubernetes: {
            version: release.kubernetesVersion,
            deployerArn: compute.deployRoleArn ?? shared.deployerArn,
            adminRoleArn: compute.adminRoleArn,
            publicEndpoint: compute.publicEndpoint,
        },
        nodes: {
            instanceTypes: compute.instanceTypes,
            rootVolumeGiB: compute.rootVolumeGiB,
            perAz: nodesPerAz,
            systemPerAz: compute.systemNodesPerAz,
        },
        api: {
            // The cell's own region's replica: same repository, same digest (the config refuses a non-ECR image).
            image: imageIn(parseEcrImage(release.image)!, cell.region),
            port: app.port,
            healthPath: app.healthPath,
            cpuMillicores: compute.podCpuMillicores,
            memoryMiB: compute.podMemoryMiB,
            replicas: { min: capacity.pods.min, max: maxPods },
            warmReplicas: capacity.warmPods,
        },
        database: {
            instanceClass: data.instanceClass,
            port: data.port,
            backupRetentionDays: data.backupRetentionDays,
            readers: capacity.readers,
            // A pin equal to the stack-wide version is no pin: the member follows the global cluster.
            engineVersionPin: release.auroraEngineVersion === data.engineVersion ? undefined : release.auroraEngineVersion,
            rpoBounded: rpoBounded(config.data.rpoBound, stack.fleet),
            physicalPrefix: cellPhysicalPrefix(shared.project, shared.stack, cell.code),
            backupVaultName: backupVaultName(shared.project, shared.stack, cell.code),
            airGappedVaultName: airGappedVaultName(shared.project, shared.stack, cell.code),
            adoptBackupVault: config.adoptedBackupVaults.includes(cell.region),
            // The next serving cell's vault: where the primary's backups are copied.
            backupCopy: copyCell && { region: copyCell.region, vaultName: backupVaultName(shared.project, shared.stack, copyCell.code) },
        },
        cache: {
            engineVersion: data.cache.engineVersion,
            nodeType: data.cache.nodeType,
            shards: capacity.cacheShards,
            replicasPerShard: data.cache.replicasPerShard,
            snapshotRetentionDays: data.cache.snapshotRetentionDays,
            userIdPrefix: `${shared.project}-${shared.stack}-${cell.code}`,
        },
        observability: {
            logRetentionDays: observability.logRetentionDays,
            opensearch: observability.opensearch,
            prometheus: observability.prometheus,
            alertWebhookUrl: observability.alertWebhookUrl,
            alerts: observability.alerts,
            physicalNames: {
                prefix: cellPhysicalPrefix(shared.project, shared.stack, cell.code),
                logDomain: logDomainName(shared.stack, cell.code),
            },
        },
        certificateArn: shared.certificateArn(cell.region),
        domain: config.domain,
        originAuthTokens: shared.originAuthTokens,
        cloudflare: shared.cloudflare,
        globalDatabase: shared.globalDatabase,
        databaseDependsOn: cell.primary ? undefined : shared.databaseDependsOn,
        accountId: shared.accountId,
    };
}

/** The zone's rules a tenant stack exports for its owner (every stack exports them: the plan's cross-stack check reads them). */
export type TenantRules = (stack: string) => HostnameRules;

/** The edge over the serving cells (their ALBs as `originHostname`), with the fleet's steering. */
export function edgeArgs(
    { config, fleet }: Stack,
    cells: readonly EdgeCell[],
    originAuthToken: pulumi.Input<string>,
    tenantRules: TenantRules,
): EdgeArgs {
    const { cloudflare, edge } = config;
    const zone: ZoneRole =
        cloudflare.zoneOwner !== undefined
            ? { role: "tenant", owner: cloudflare.zoneOwner }
            : {
                  role: "owner",
                  tenants: cloudflare.zoneTenants.map((stack) => ({ stack, rules: tenantRules(stack) })),
                  tieredCache: edge.tieredCache,
              };
    return {
        apiPath: edge.apiPath,
        staticPathPrefix: edge.staticPathPrefix,
        staticExtensions: edge.staticExtensions,
        staticEdgeTtl: edge.staticEdgeTtl,
        cacheableApiRoutes: edge.cacheableApiRoutes,
        primaryRoutes: edge.primaryRoutes,
        credentials: edge.credentials,
        sessionAffinityTtl: edge.sessionAffinityTtl,
        monitorInterval: edge.monitorInterval,
        rateLimit: edge.rateLimit,
        alertEmail: edge.alertEmail,
        alertWebhookId: edge.alertWebhookId,
        domain: config.domain,
        accountId: cloudflare.accountId,
        zoneId: cloudflare.zoneId,
        zone,
        healthPath: config.app.healthPath,
        cells,
        steering: fleet.steering,
        originAuthToken,
    };
}

// Wiring only: load the stack (config parsed, fleet derived), then stamp one cell per region behind the edge.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { retainStateful } from "./components/cell/lifecycle";
import { RegionalCell } from "./components/cell/regionalCell";
import { ImageReplication } from "./components/compute/imageReplication";
import { GlobalDatabase } from "./components/data/globalDatabase";
import { cloudflareRanges } from "./components/edge/cloudflareRanges";
import { Edge } from "./components/edge/edge";
import { originAuthSecrets } from "./components/edge/originAuth";
import { OriginCertificates } from "./components/edge/originCertificates";
import { type HostnameRules, type RulesetRule, originAuthRule } from "./components/edge/rules";
import { FaultInjection } from "./components/failover/faultInjection";
import { RegionSwitch } from "./components/failover/regionSwitch";
import { type FleetCell } from "./regions/fleet";
import { parseEcrImage } from "./regions/image";
import { globalDatabaseIdentifier } from "./regions/naming";
import { type CellShared, edgeArgs, regionalCellArgs } from "./stack/args";
import { type FailoverCell, faultInjectionArgs, regionSwitchArgs } from "./stack/failoverArgs";
import { loadStack } from "./stack/load";

const stack = loadStack();
const { config, fleet } = stack;
const project = pulumi.getProject();
const stackName = pulumi.getStack();

// One AWS provider for every region (each regional resource names its region): one
// provider process however many cells, and default tags in one place.
const awsProvider = new aws.Provider("aws", {
    region: config.awsRegion as aws.Region,
    defaultTags: { tags: { Project: project, Stack: stackName, ManagedBy: "pulumi" } },
});
const withAws = { providers: [awsProvider] };

// Before the cells: each cell's HTTPS listener needs its region's validated certificate.
const certificates = new OriginCertificates(
    "origin-certs",
    {
        domain: config.domain,
        zoneId: config.cloudflare.zoneId,
        cells: fleet.cells.map((c) => ({ region: c.region, code: c.code })),
        primaryRegion: fleet.primary.region,
    },
    withAws,
);
// Each cell pulls the API image from its own region's replica (same digest); one stack per account declares the replication.
const image = parseEcrImage(config.app.image)!;
const cellRegions = fleet.cells.map((c) => c.region);
if (config.app.replicateImage && cellRegions.some((r) => r !== image.region))
    new ImageReplication("image", { image, regions: cellRegions }, withAws);
// Cloudflare sends the active slot's secret with every request of this hostname; the ALBs accept
// both slots' and refuse requests without one (rotation: components/edge/originAuth.ts).
const originAuth = originAuthSecrets(config.edge.originAuth.generation);

const caller = aws.getCallerIdentityOutput({}, { provider: awsProvider });
// In the home region, which does not follow the primary (docs/regions.md).
const globalDatabase = new GlobalDatabase(
    "global-db",
    {
        region: fleet.homeRegion,
        accountId: caller.accountId,
        identifier: globalDatabaseIdentifier(project, stackName),
        engineVersion: config.data.engineVersion,
        port: config.data.port,
        databaseName: config.data.databaseName,
    },
    withAws,
);

const shared: CellShared = {
    project,
    stack: stackName,
    certificateArn: (region) => certificates.arns[region],
    originAuthTokens: originAuth.accepted,
    cloudflare: cloudflareRanges(),
    globalDatabase,
    accountId: caller.accountId,
    // An assumed role's session ARN is not an access-entry principal; its role's ARN is.
    deployerArn: aws.iam.getSessionContextOutput({ arn: caller.arn }, { provider: awsProvider }).issuerArn,
};
// A decommissioning cell keeps running, drained, with its data retained on delete (docs/regions.md).
const cellOptions = (cell: FleetCell) => (cell.decommissioning ? { ...withAws, transformations: [retainStateful] } : withAws);
// The primary cell first: a secondary Aurora cluster joins the global database through it.
const primaryCell = new RegionalCell(fleet.primary.code, regionalCellArgs(stack, fleet.primary, shared), cellOptions(fleet.primary));
const secondaryShared: CellShared = { ...shared, databaseDependsOn: primaryCell.readyForSecondaries };
const cells = fleet.cells.map((cell) =>
    cell.primary ? primaryCell : new RegionalCell(cell.code, regionalCellArgs(stack, cell, secondaryShared), cellOptions(cell)),
);
const cellOf = new Map(cells.map((c) => [c.region, c]));

// A tenant's zone rules, as its last `pulumi up` exported them (the zone's owner declares them).
const tenantRules = (tenant: string): HostnameRules => {
    const ref = new pulumi.StackReference(`zone-tenant-${tenant}`, { name: `${pulumi.getOrganization()}/${project}/${tenant}` });
    type Exported = { hostname: string; cache: RulesetRule[]; config: RulesetRule[]; rateLimit: RulesetRule[] };
    const rules = ref.requireOutput("edgeZoneRules") as pulumi.Output<Exported>;
    const hostname = rules.apply((r) => r.hostname);
    return {
        hostname,
        cache: rules.apply((r) => r.cache),
        config: rules.apply((r) => r.config),
        rateLimit: rules.apply((r) => r.rateLimit),
        transform: [originAuthRule(hostname, ref.requireOutput("edgeOriginAuthToken") as pulumi.Output<string>)],
    };
};

// Only serving cells get a pool: a decommissioning cell is drained (its users go to the next
// cell of their steering list), and a pool without traffic fails the pack's failover rule.
// After the cells: an `up` updates the ALBs (a new origin secret) before Cloudflare sends it.
const edge = new Edge(
    "edge",
    edgeArgs(
        stack,
        fleet.serving.map((c) => ({
            region: c.region,
            code: c.code,
            catalog: c.catalog,
            originHostname: cellOf.get(c.region)!.originHostname,
        })),
        originAuth.active,
        tenantRules,
    ),
    { dependsOn: cells },
);

// The failover, declared and rehearsable: a Region switch plan per standby and FIS templates per cell (docs/qa.md).
const failoverCells: FailoverCell[] = cells.map((c) => ({
    region: c.region,
    code: c.code,
    zoneIds: c.network.zoneIds,
    eksClusterName: c.clusterName,
    apiNamespace: c.api.namespace,
    vpcId: c.network.vpcId,
    subnetIds: [...c.network.publicSubnetIds, ...c.network.privateSubnetIds, ...c.network.isolatedSubnetIds],
    dbClusterArn: c.data.database.cluster.arn,
    alarmArns: c.observability.alarmArns,
}));
const regionSwitch = new RegionSwitch(
    "failover",
    regionSwitchArgs(
        stack,
        project,
        stackName,
        failoverCells,
        edge.poolIds,
        { identifier: globalDatabase.globalClusterIdentifier, arn: globalDatabase.globalClusterArn },
        shared.accountId,
    ),
    withAws,
);
const faults = new FaultInjection("faults", faultInjectionArgs(stack, failoverCells, shared.accountId), withAws);

export const regions = Object.fromEntries(
    cells.map((c) => [
        c.region,
        {
            code: c.code,
            vpcId: c.network.vpcId,
            clusterName: c.clusterName,
            originHostname: c.originHostname,
            databaseWriterEndpoint: c.data.connection.databaseWriterEndpoint,
            databaseReaderEndpoint: c.data.connection.databaseReaderEndpoint,
            cacheEndpoint: c.data.connection.cacheEndpoint,
            logDomainEndpoint: c.observability.logDomain.endpoint,
        },
    ]),
);
export const primaryRegion = fleet.primary.region;
export const globalClusterIdentifier = globalDatabase.globalClusterIdentifier;
export const loadBalancerHostname = edge.hostname;
// What the zone's owner reads from this stack (a tenant's rules; an owner's are the same shape).
export const edgeZoneRules = {
    hostname: edge.zoneRules.hostname,
    cache: edge.zoneRules.cache,
    config: edge.zoneRules.config,
    rateLimit: edge.zoneRules.rateLimit,
};
export const edgeOriginAuthToken = pulumi.secret(originAuth.active);
export const edgeSettings = edge.summary;
export const grafanaAdminPasswords = Object.fromEntries(cells.map((c) => [c.region, c.observability.grafanaAdminPassword]));
export const failoverPlans = regionSwitch.planArns;
export const failoverTokenSecret = regionSwitch.tokenSecretArn;
export const faultTemplates = faults.templateIds;

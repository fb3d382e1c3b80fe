// Wiring only: read and validate the config, then stamp one cell per region behind the edge.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { retainStateful } from "./components/cell/lifecycle";
import { RegionalCell } from "./components/cell/regionalCell";
import { GlobalDatabase } from "./components/data/database";
import { cloudflareRanges } from "./components/edge/cloudflareRanges";
import { Edge } from "./components/edge/edge";
import { OriginCertificates } from "./components/edge/originCertificates";
import { cellCapacity } from "./regions/capacity";
import { loadConfig } from "./stack/load";

const config = loadConfig();

// One AWS provider for every region (each regional resource names its region): one
// provider process however many cells, and default tags in one place.
const aws_ = new aws.Provider("aws", {
    region: config.awsRegion as aws.Region,
    defaultTags: { tags: { Project: pulumi.getProject(), Stack: pulumi.getStack(), ManagedBy: "pulumi" } },
});
const withAws = { providers: [aws_] };

// Before the cells: each cell's HTTPS listener needs its region's validated certificate.
const certificates = new OriginCertificates(
    "origin-certs",
    {
        domain: config.domain,
        zoneId: config.cloudflare.zoneId,
        cells: config.cells.map((c) => ({ region: c.region, code: c.code })),
        primaryRegion: config.primary.region,
    },
    withAws,
);
const cloudflare = cloudflareRanges();
// Cloudflare sends this with every request of this zone; the ALBs refuse requests without it.
const originAuthToken = new random.RandomPassword("origin-auth-token", { length: 48, special: false }).result;
const accountId = aws.getCallerIdentityOutput({}, { provider: aws_ }).accountId;

// In the home region, which does not follow the primary (docs/regions.md).
const globalDatabase = new GlobalDatabase(
    "global-db",
    {
        region: config.homeRegion,
        identifier: `${pulumi.getProject()}-${pulumi.getStack()}`,
        engineVersion: config.data.engineVersion,
        port: config.data.port,
        databaseName: config.data.databaseName,
    },
    withAws,
);

// The primary cell first: a secondary Aurora cluster joins the global database through it.
const cellArgs = (cell: (typeof config.cells)[number], primaryCell?: RegionalCell) => ({
    cell,
    compute: config.compute,
    app: config.app,
    certificateArn: certificates.arns[cell.region],
    domain: config.domain,
    originAuthToken,
    cloudflare,
    capacity: cellCapacity(config.fleet, cell.region),
    data: config.data,
    globalDatabase,
    primaryCell,
    observability: config.observability,
    accountId,
});
// A decommissioning cell keeps running, drained, with its data retained on delete (docs/regions.md).
const cellOpts = (cell: (typeof config.cells)[number]) => (cell.decommission ? { ...withAws, transformations: [retainStateful] } : withAws);
const primaryCell = new RegionalCell(config.primary.code, cellArgs(config.primary), cellOpts(config.primary));
const cells = config.cells.map((cell) =>
    cell.primary ? primaryCell : new RegionalCell(cell.code, cellArgs(cell, primaryCell), cellOpts(cell)),
);

// Only serving cells get a pool: a decommissioning cell is drained (its users go to the next
// cell of their steering list), and a pool without traffic fails the pack's failover rule.
const serving = config.cells.map((cell, i) => ({ cell, built: cells[i] })).filter(({ cell }) => !cell.decommission);
const edge = new Edge("edge", {
    ...config.edge,
    domain: config.domain,
    accountId: config.cloudflare.accountId,
    zoneId: config.cloudflare.zoneId,
    healthPath: config.app.healthPath,
    originAuthToken,
    cells: serving.map(({ cell, built }) => ({
        region: cell.region,
        code: cell.code,
        primary: cell.primary,
        catalog: cell.catalog,
        originHostname: built.originHostname,
    })),
});

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
export const primaryRegion = config.primary.region;
export const globalClusterIdentifier = globalDatabase.globalClusterIdentifier;
export const loadBalancerHostname = edge.hostname;
export const grafanaAdminPasswords = Object.fromEntries(cells.map((c) => [c.region, c.observability.grafanaAdminPassword]));

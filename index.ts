// Wiring only: read and validate the config, then stamp one cell per region.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RegionalCell } from "./components/cell";
import { OriginCertificates } from "./components/certificates";
import { cloudflareRanges } from "./components/cloudflareRanges";
import { loadConfig } from "./regions/load";

const config = loadConfig();

// One AWS provider for every region (each regional resource names its region): one
// provider process however many cells, and default tags in one place.
const aws_ = new aws.Provider("aws", {
    region: config.awsRegion as aws.Region,
    defaultTags: { tags: { Project: pulumi.getProject(), Stack: pulumi.getStack(), ManagedBy: "pulumi" } },
});

// Before the cells: each cell's HTTPS listener needs its region's validated certificate.
const certificates = new OriginCertificates("origin-certs", {
    domain: config.domain,
    zoneId: config.cloudflare.zoneId,
    cells: config.cells.map((c) => ({ region: c.region, code: c.code })),
    primaryRegion: config.primary.region,
}, { providers: [aws_] });
const cloudflare = cloudflareRanges();

const cells = config.cells.map((cell) => new RegionalCell(cell.code, {
    cell,
    compute: config.compute,
    app: config.app,
    certificateArn: certificates.arns[cell.region],
    cloudflare,
}, { providers: [aws_] }));

export const regions = Object.fromEntries(cells.map((c) => [c.region, {
    code: c.code,
    vpcId: c.network.vpcId,
    clusterName: c.clusterName,
    originHostname: c.originHostname,
}]));
export const primaryRegion = config.primary.region;

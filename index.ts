// Wiring only: read and validate the config, then stamp one cell per region.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RegionalCell } from "./components/cell";
import { loadConfig } from "./regions/load";

const config = loadConfig();

// One AWS provider for every region (each regional resource names its region): one
// provider process however many cells, and default tags in one place.
const aws_ = new aws.Provider("aws", {
    region: config.awsRegion as aws.Region,
    defaultTags: { tags: { Project: pulumi.getProject(), Stack: pulumi.getStack(), ManagedBy: "pulumi" } },
});

const cells = config.cells.map((cell) => new RegionalCell(cell.code, { cell }, { providers: [aws_] }));

export const regions = Object.fromEntries(cells.map((c) => [c.region, { code: c.code, vpcId: c.network.vpcId }]));
export const primaryRegion = config.primary.region;

/**
 * The region catalog: every AWS region the product may run a cell in.
 *
 * Static data only (no Pulumi calls): it decides names, address plans and steering,
 * so it must be a plain value that tests and the capacity model can read without a
 * runtime. Adding a region to the product starts here; adding it to a stack is then
 * one entry in `platform:regions`.
 */

/** Cloudflare load-balancing region codes (https://developers.cloudflare.com/load-balancing/reference/region-mapping-api/). */
export const CLOUDFLARE_REGIONS = ["WNAM", "ENAM", "WEU", "EEU", "NSAM", "SSAM", "OC", "ME", "NAF", "SAF", "SAS", "SEAS", "NEAS"] as const;
export type CloudflareRegion = (typeof CLOUDFLARE_REGIONS)[number];

export interface GeoPoint {
    readonly latitude: number;
    readonly longitude: number;
}

export interface CatalogRegion extends GeoPoint {
    /** AWS region name, e.g. `us-east-1`. */
    readonly name: string;
    /** Short code used in every resource name of the cell, e.g. `use1`. Unique. */
    readonly code: string;
    /**
     * Three AZ IDs (`use1-az1`) of this region, none in UNSUPPORTED_ZONE_IDS (EKS's control plane,
     * RDS Proxy); the node groups' instance types are checked in each at deploy time
     * (components/compute/zoneOfferings.ts). IDs, not names: a name (`us-east-1a`) maps to a different
     * physical AZ in each account, so a name can land on a zone EKS refuses
     * (`UnsupportedAvailabilityZoneException`) or RDS Proxy skips (a perpetual `vpcSubnetIds`
     * diff); an ID is the same zone in every account
     * (https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html). Resources
     * that only take a name resolve it per account (components/network/zoneNames.ts).
     */
    readonly zoneIds: readonly [string, string, string];
    /** Default VPC CIDR (/16). No two regions share or overlap one, so cells can be peered later. */
    readonly cidr: string;
    /** The Cloudflare region this AWS region sits in: health checks for its pool run from there. */
    readonly cloudflareRegion: CloudflareRegion;
}

/**
 * AZ IDs the cell must never use, with the reason. A name-based choice could land on any of them.
 * - EKS refuses control-plane subnets in use1-az3, usw1-az2 and cac1-az3 (EKS User Guide,
 *   "Subnet requirements for clusters", https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html).
 * - RDS Proxy is not supported in use1-az3 (RDS User Guide, "Limitations for RDS Proxy",
 *   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html#rds-proxy.limitations;
 *   the provider echoes it: node_modules/@pulumi/aws/rds/proxy.d.ts).
 * - apne1-az3 is not offered to new accounts (the catalog's earlier note: Tokyo's `b` zone), and
 *   PrivateLink cross-Region access excludes it (VPC PrivateLink guide, "Cross-Region" considerations).
 */
export const UNSUPPORTED_ZONE_IDS: Readonly<Record<string, string>> = {
    "use1-az3": "EKS control plane and RDS Proxy unsupported",
    "usw1-az2": "EKS control plane unsupported",
    "cac1-az3": "EKS control plane unsupported",
    "apne1-az3": "not offered to new accounts",
};

/**
 * Coordinates are the metro of each region's data centres (rounded to 0.1°); they feed the
 * Cloudflare pools' latitude/longitude and the great-circle steering order.
 *
 * AZ IDs: each region's IDs as AWS lists them in "AWS Availability Zones"
 * (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html),
 * the lowest three that are not in UNSUPPORTED_ZONE_IDS. ca-central-1 (cac1-az3) and
 * ap-northeast-1 (apne1-az3) have gaps, hence their `az4`.
 */
const REGIONS: readonly CatalogRegion[] = [
    {
        name: "us-east-1",
        code: "use1",
        // Six AZs; use1-az3 is in UNSUPPORTED_ZONE_IDS (EKS, RDS Proxy): the lowest three of the other five.
        zoneIds: ["use1-az1", "use1-az2", "use1-az4"],
        cidr: "10.10.0.0/16",
        latitude: 39.0,
        longitude: -77.5,
        cloudflareRegion: "ENAM",
    },
    {
        name: "us-east-2",
        code: "use2",
        // az1 to az3 (none unsupported).
        zoneIds: ["use2-az1", "use2-az2", "use2-az3"],
        cidr: "10.11.0.0/16",
        latitude: 40.0,
        longitude: -83.0,
        cloudflareRegion: "ENAM",
    },
    {
        name: "us-west-2",
        code: "usw2",
        // Four AZs, none unsupported: the lowest three.
        zoneIds: ["usw2-az1", "usw2-az2", "usw2-az3"],
        cidr: "10.12.0.0/16",
        latitude: 45.8,
        longitude: -119.7,
        cloudflareRegion: "WNAM",
    },
    {
        name: "ca-central-1",
        code: "cac1",
        // cac1-az3 (ca-central-1's old `c` zone) is in UNSUPPORTED_ZONE_IDS (EKS): the other three.
        zoneIds: ["cac1-az1", "cac1-az2", "cac1-az4"],
        cidr: "10.13.0.0/16",
        latitude: 45.5,
        longitude: -73.6,
        cloudflareRegion: "ENAM",
    },
    {
        name: "sa-east-1",
        code: "sae1",
        // az1 to az3 (none unsupported).
        zoneIds: ["sae1-az1", "sae1-az2", "sae1-az3"],
        cidr: "10.14.0.0/16",
        latitude: -23.5,
        longitude: -46.6,
        cloudflareRegion: "SSAM",
    },
    {
        name: "eu-west-1",
        code: "euw1",
        // az1 to az3 (none unsupported).
        zoneIds: ["euw1-az1", "euw1-az2", "euw1-az3"],
        cidr: "10.20.0.0/16",
        latitude: 53.3,
        longitude: -6.3,
        cloudflareRegion: "WEU",
    },
    {
        name: "eu-west-2",
        code: "euw2",
        // az1 to az3 (none unsupported).
        zoneIds: ["euw2-az1", "euw2-az2", "euw2-az3"],
        cidr: "10.21.0.0/16",
        latitude: 51.5,
        longitude: -0.1,
        cloudflareRegion: "WEU",
    },
    {
        name: "eu-central-1",
        code: "euc1",
        // az1 to az3 (none unsupported).
        zoneIds: ["euc1-az1", "euc1-az2", "euc1-az3"],
        cidr: "10.22.0.0/16",
        latitude: 50.1,
        longitude: 8.7,
        cloudflareRegion: "WEU",
    },
    {
        name: "eu-north-1",
        code: "eun1",
        // az1 to az3 (none unsupported).
        zoneIds: ["eun1-az1", "eun1-az2", "eun1-az3"],
        cidr: "10.23.0.0/16",
        latitude: 59.3,
        longitude: 18.1,
        cloudflareRegion: "EEU",
    },
    {
        name: "ap-south-1",
        code: "aps1",
        // az1 to az3 (none unsupported).
        zoneIds: ["aps1-az1", "aps1-az2", "aps1-az3"],
        cidr: "10.30.0.0/16",
        latitude: 19.1,
        longitude: 72.9,
        cloudflareRegion: "SAS",
    },
    {
        name: "ap-southeast-1",
        code: "apse1",
        // az1 to az3 (none unsupported).
        zoneIds: ["apse1-az1", "apse1-az2", "apse1-az3"],
        cidr: "10.31.0.0/16",
        latitude: 1.3,
        longitude: 103.8,
        cloudflareRegion: "SEAS",
    },
    {
        name: "ap-southeast-2",
        code: "apse2",
        // az1 to az3 (none unsupported).
        zoneIds: ["apse2-az1", "apse2-az2", "apse2-az3"],
        cidr: "10.32.0.0/16",
        latitude: -33.9,
        longitude: 151.2,
        cloudflareRegion: "OC",
    },
    {
        name: "ap-northeast-1",
        code: "apne1",
        // Four AZs; apne1-az3 (the `b` zone older accounts have) is in UNSUPPORTED_ZONE_IDS: the other three.
        zoneIds: ["apne1-az1", "apne1-az2", "apne1-az4"],
        cidr: "10.33.0.0/16",
        latitude: 35.7,
        longitude: 139.7,
        cloudflareRegion: "NEAS",
    },
    {
        name: "me-central-1",
        code: "mec1",
        // az1 to az3 (none unsupported).
        zoneIds: ["mec1-az1", "mec1-az2", "mec1-az3"],
        cidr: "10.40.0.0/16",
        latitude: 25.2,
        longitude: 55.3,
        cloudflareRegion: "ME",
    },
    {
        name: "af-south-1",
        code: "afs1",
        // az1 to az3 (none unsupported).
        zoneIds: ["afs1-az1", "afs1-az2", "afs1-az3"],
        cidr: "10.41.0.0/16",
        latitude: -33.9,
        longitude: 18.4,
        cloudflareRegion: "SAF",
    },
];

const BY_NAME: ReadonlyMap<string, CatalogRegion> = new Map(REGIONS.map((r) => [r.name, r]));

/** Every catalog region, in catalog order. */
export function catalogRegions(): readonly CatalogRegion[] {
    return REGIONS;
}

/** The catalog entry of `name`, or undefined when the product does not run there. */
export function findRegion(name: string): CatalogRegion | undefined {
    return BY_NAME.get(name);
}

/** The catalog entry of `name`; throws naming the known regions when there is none. */
export function requireRegion(name: string): CatalogRegion {
    const region = BY_NAME.get(name);
    if (!region) throw new Error(`unknown region "${name}": the catalog has ${REGIONS.map((r) => r.name).join(", ")}`);
    return region;
}

/**
 * Where the users of each Cloudflare region are, roughly: the point steering measures
 * distances from. Chosen as a population-weighted centre of each Cloudflare region.
 */
export const CLOUDFLARE_REGION_LOCATIONS: Readonly<Record<CloudflareRegion, GeoPoint>> = {
    WNAM: { latitude: 37.0, longitude: -115.0 },
    ENAM: { latitude: 39.0, longitude: -80.0 },
    WEU: { latitude: 49.0, longitude: 5.0 },
    EEU: { latitude: 52.0, longitude: 25.0 },
    NSAM: { latitude: 5.0, longitude: -70.0 },
    SSAM: { latitude: -25.0, longitude: -55.0 },
    OC: { latitude: -33.0, longitude: 151.0 },
    ME: { latitude: 27.0, longitude: 47.0 },
    NAF: { latitude: 28.0, longitude: 10.0 },
    SAF: { latitude: -15.0, longitude: 25.0 },
    SAS: { latitude: 22.0, longitude: 78.0 },
    SEAS: { latitude: 5.0, longitude: 108.0 },
    NEAS: { latitude: 35.0, longitude: 125.0 },
};

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
    /** Three availability zones a new account can use in this region. */
    readonly azs: readonly [string, string, string];
    /** Default VPC CIDR (/16). No two regions share or overlap one, so cells can be peered later. */
    readonly cidr: string;
    /** The Cloudflare region this AWS region sits in: health checks for its pool run from there. */
    readonly cloudflareRegion: CloudflareRegion;
}

/**
 * Coordinates are the metro of each region's data centres (rounded to 0.1°); they feed the
 * Cloudflare pools' latitude/longitude and the great-circle steering order.
 *
 * AZs: ca-central-1 has no `c` zone and ap-northeast-1's `b` zone is closed to new accounts,
 * hence the gaps.
 */
const REGIONS: readonly CatalogRegion[] = [
    {
        name: "us-east-1",
        code: "use1",
        azs: ["us-east-1a", "us-east-1b", "us-east-1c"],
        cidr: "10.10.0.0/16",
        latitude: 39.0,
        longitude: -77.5,
        cloudflareRegion: "ENAM",
    },
    {
        name: "us-east-2",
        code: "use2",
        azs: ["us-east-2a", "us-east-2b", "us-east-2c"],
        cidr: "10.11.0.0/16",
        latitude: 40.0,
        longitude: -83.0,
        cloudflareRegion: "ENAM",
    },
    {
        name: "us-west-2",
        code: "usw2",
        azs: ["us-west-2a", "us-west-2b", "us-west-2c"],
        cidr: "10.12.0.0/16",
        latitude: 45.8,
        longitude: -119.7,
        cloudflareRegion: "WNAM",
    },
    {
        name: "ca-central-1",
        code: "cac1",
        azs: ["ca-central-1a", "ca-central-1b", "ca-central-1d"],
        cidr: "10.13.0.0/16",
        latitude: 45.5,
        longitude: -73.6,
        cloudflareRegion: "ENAM",
    },
    {
        name: "sa-east-1",
        code: "sae1",
        azs: ["sa-east-1a", "sa-east-1b", "sa-east-1c"],
        cidr: "10.14.0.0/16",
        latitude: -23.5,
        longitude: -46.6,
        cloudflareRegion: "SSAM",
    },
    {
        name: "eu-west-1",
        code: "euw1",
        azs: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        cidr: "10.20.0.0/16",
        latitude: 53.3,
        longitude: -6.3,
        cloudflareRegion: "WEU",
    },
    {
        name: "eu-west-2",
        code: "euw2",
        azs: ["eu-west-2a", "eu-west-2b", "eu-west-2c"],
        cidr: "10.21.0.0/16",
        latitude: 51.5,
        longitude: -0.1,
        cloudflareRegion: "WEU",
    },
    {
        name: "eu-central-1",
        code: "euc1",
        azs: ["eu-central-1a", "eu-central-1b", "eu-central-1c"],
        cidr: "10.22.0.0/16",
        latitude: 50.1,
        longitude: 8.7,
        cloudflareRegion: "WEU",
    },
    {
        name: "eu-north-1",
        code: "eun1",
        azs: ["eu-north-1a", "eu-north-1b", "eu-north-1c"],
        cidr: "10.23.0.0/16",
        latitude: 59.3,
        longitude: 18.1,
        cloudflareRegion: "EEU",
    },
    {
        name: "ap-south-1",
        code: "aps1",
        azs: ["ap-south-1a", "ap-south-1b", "ap-south-1c"],
        cidr: "10.30.0.0/16",
        latitude: 19.1,
        longitude: 72.9,
        cloudflareRegion: "SAS",
    },
    {
        name: "ap-southeast-1",
        code: "apse1",
        azs: ["ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"],
        cidr: "10.31.0.0/16",
        latitude: 1.3,
        longitude: 103.8,
        cloudflareRegion: "SEAS",
    },
    {
        name: "ap-southeast-2",
        code: "apse2",
        azs: ["ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"],
        cidr: "10.32.0.0/16",
        latitude: -33.9,
        longitude: 151.2,
        cloudflareRegion: "OC",
    },
    {
        name: "ap-northeast-1",
        code: "apne1",
        azs: ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"],
        cidr: "10.33.0.0/16",
        latitude: 35.7,
        longitude: 139.7,
        cloudflareRegion: "NEAS",
    },
    {
        name: "me-central-1",
        code: "mec1",
        azs: ["me-central-1a", "me-central-1b", "me-central-1c"],
        cidr: "10.40.0.0/16",
        latitude: 25.2,
        longitude: 55.3,
        cloudflareRegion: "ME",
    },
    {
        name: "af-south-1",
        code: "afs1",
        azs: ["af-south-1a", "af-south-1b", "af-south-1c"],
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

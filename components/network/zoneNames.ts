/**
 * AZ names from AZ IDs, for the few inputs that take only a name (an RDS instance's
 * `availabilityZone`). The catalog lists AZ IDs (regions/catalog.ts): a name such as
 * `us-east-1a` is a different physical zone in each account, so the name is looked up in the
 * deploying account, never written down.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** What the program reads of `getAvailabilityZones`: parallel lists, in the API's order. */
export interface ZoneListing {
    readonly names: readonly string[];
    readonly zoneIds: readonly string[];
}

/**
 * The names of `zoneIds`, in the order of `zoneIds` (the API answers in its own order, by name).
 * Throws naming every ID the account does not have: a missing name must stop the deployment,
 * not shift the instances onto the wrong zones. Pure.
 */
export function namesByZoneId(region: string, zoneIds: readonly string[], listing: ZoneListing): string[] {
    const nameOf = new Map(listing.zoneIds.map((id, i) => [id, listing.names[i]]));
    const missing = zoneIds.filter((id) => nameOf.get(id) === undefined);
    if (missing.length)
        throw new Error(
            `${region} has no AZ ${missing.join(", ")} in this account (it lists ${listing.zoneIds.join(", ") || "none"}); fix the catalog's zoneIds (regions/catalog.ts)`,
        );
    return zoneIds.map((id) => nameOf.get(id)!);
}

/**
 * The deploying account's names of `zoneIds` in `region`, in the order of `zoneIds`: EC2's
 * DescribeAvailabilityZones with a `zone-id` filter (aws 7.x getAvailabilityZones.d.ts; the filter
 * names are EC2's, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAvailabilityZones.html).
 */
export function zoneNames(region: string, zoneIds: readonly string[], opts?: pulumi.InvokeOutputOptions): pulumi.Output<string[]> {
    return aws
        .getAvailabilityZonesOutput({ region, filters: [{ name: "zone-id", values: [...zoneIds] }] }, opts)
        .apply((listing) => namesByZoneId(region, zoneIds, listing));
}

/**
 * Whether every instance type of a managed node group is offered in every AZ of the cell: EKS
 * creates a group whose types are not all offered in its subnet's AZ and then fails it
 * (CREATE_FAILED; awslabs/ec2-spot-workshops#154, runs-on/runs-on#5, ../shared/reviews/compute.md
 * F13). Checked by AZ ID before the groups are declared, so `up` stops with the missing pairs.
 * Karpenter needs no such check: it launches only types offered in the zone it picks.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** What the program reads of `getInstanceTypeOfferings`: parallel lists (the indexes correspond). */
export interface OfferingListing {
    readonly instanceTypes: readonly string[];
    readonly locations: readonly string[];
}

/**
 * Every `type in zone` pair not offered, in the order of the zones then the types. Pure. The
 * lists are parallel ("the indexes of Instance Type Offering instance types, locations and
 * location types correspond", terraform-provider-aws docs, d/ec2_instance_type_offerings).
 */
export function missingOfferings(zoneIds: readonly string[], instanceTypes: readonly string[], listing: OfferingListing): string[] {
    const offered = new Set(listing.instanceTypes.map((type, i) => `${type} in ${listing.locations[i]}`));
    return zoneIds.flatMap((zone) => instanceTypes.map((type) => `${type} in ${zone}`)).filter((pair) => !offered.has(pair));
}

/**
 * `instanceTypes`, once EC2 says each is offered in each of `zoneIds` (DescribeInstanceTypeOfferings
 * by `availability-zone-id`, aws 7.x ec2/getInstanceTypeOfferings.d.ts); fails otherwise, naming
 * the pairs. Resources that take the result wait for the check.
 */
export function offeredEverywhere(
    region: string,
    zoneIds: readonly string[],
    instanceTypes: readonly string[],
    opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<string[]> {
    return aws.ec2
        .getInstanceTypeOfferingsOutput(
            {
                region,
                locationType: "availability-zone-id",
                filters: [
                    { name: "instance-type", values: [...instanceTypes] },
                    { name: "location", values: [...zoneIds] },
                ],
            },
            opts,
        )
        .apply((listing) => {
            const missing = missingOfferings(zoneIds, instanceTypes, listing);
            if (missing.length)
                throw new pulumi.RunError(
                    `${region}: instance types not offered: ${missing.join(", ")}; choose types every AZ offers (platform:compute.instanceTypes) or other AZ IDs (regions/catalog.ts)`,
                );
            return [...instanceTypes];
        });
}

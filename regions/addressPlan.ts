/**
 * The address plan of a cell's VPC: three tiers over three AZs, sized from the VPC prefix
 * so that a /16 and a /20 get the same shape.
 *
 * The VPC is cut in quarters. Private (workload) subnets take one quarter each: EKS's VPC
 * CNI gives every pod a VPC address, so they need by far the most. The last quarter is cut
 * in eight: three public subnets (load balancers, NAT gateways) and three isolated (data)
 * subnets, two eighths spare for later tiers.
 */
import { SUBNET_RESERVED_ADDRESSES } from "./awsLimits";
import { type Cidr, formatCidr, parseCidr, subnet } from "./cidr";

export type SubnetTier = "public" | "private" | "isolated";

export interface PlannedSubnet {
    readonly tier: SubnetTier;
    /** The AZ ID (`use1-az1`): the same physical zone in every account. */
    readonly zoneId: string;
    /** The AZ's letter by position (`a`, `b`, `c`), used in names; not an AZ name's letter. */
    readonly zone: string;
    readonly cidr: string;
}

/**
 * Name suffixes of a cell's three AZs, by position. The names were the AZ names' letters when the
 * catalog listed names (`us-east-1a/b/c`); keeping them by position keeps every URN, so moving the
 * catalog to AZ IDs replaced nothing in the regions that ran on a, b, c.
 */
export const ZONE_SUFFIXES = ["a", "b", "c"] as const;

/** The suffix of the AZ at `index` (throws past the third: a cell has three). */
export function zoneSuffix(index: number): string {
    const suffix = ZONE_SUFFIXES[index];
    if (suffix === undefined) throw new Error(`a cell has ${ZONE_SUFFIXES.length} AZs; there is no AZ #${index + 1}`);
    return suffix;
}

/** A private subnet is a quarter of the VPC; public and isolated ones an eighth of the last quarter. */
const PRIVATE_BITS = 2;
const SMALL_BITS = 5;

function vpcOf(vpcCidr: string): Cidr {
    const vpc = parseCidr(vpcCidr);
    if (typeof vpc === "string") throw new Error(`VPC CIDR ${vpcCidr} ${vpc}`);
    return vpc;
}

/** The subnets of a VPC over three AZs, given by AZ ID (`zoneIds`, in order). */
export function subnetPlan(vpcCidr: string, zoneIds: readonly string[]): PlannedSubnet[] {
    const vpc = vpcOf(vpcCidr);
    if (zoneIds.length !== 3) throw new Error(`the subnet plan needs exactly 3 AZs, got ${zoneIds.length}`);
    if (new Set(zoneIds).size !== 3) throw new Error(`the subnet plan needs 3 distinct AZs, got ${zoneIds.join(", ")}`);
    const lastQuarter: Cidr = subnet(vpc, vpc.prefix + PRIVATE_BITS, 3);
    const plan: PlannedSubnet[] = [];
    zoneIds.forEach((zoneId, i) => {
        const zone = zoneSuffix(i);
        plan.push({ tier: "private", zoneId, zone, cidr: formatCidr(subnet(vpc, vpc.prefix + PRIVATE_BITS, i)) });
        plan.push({ tier: "public", zoneId, zone, cidr: formatCidr(subnet(lastQuarter, vpc.prefix + SMALL_BITS, i)) });
        plan.push({ tier: "isolated", zoneId, zone, cidr: formatCidr(subnet(lastQuarter, vpc.prefix + SMALL_BITS, 3 + i)) });
    });
    return plan;
}

/** The prefix and usable addresses (less the ones AWS reserves) of each private subnet of a VPC with this CIDR. */
export function privateSubnetAddresses(vpcCidr: string): { prefix: number; usable: number } {
    const prefix = vpcOf(vpcCidr).prefix + PRIVATE_BITS;
    return { prefix, usable: 2 ** (32 - prefix) - SUBNET_RESERVED_ADDRESSES };
}

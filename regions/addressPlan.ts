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
    readonly az: string;
    /** Zone letter, used in names (`a`, `b`, `d`). */
    readonly zone: string;
    readonly cidr: string;
}

/** A private subnet is a quarter of the VPC; public and isolated ones an eighth of the last quarter. */
const PRIVATE_BITS = 2;
const SMALL_BITS = 5;

function vpcOf(vpcCidr: string): Cidr {
    const vpc = parseCidr(vpcCidr);
    if (typeof vpc === "string") throw new Error(`VPC CIDR ${vpcCidr} ${vpc}`);
    return vpc;
}

export function subnetPlan(vpcCidr: string, azs: readonly string[]): PlannedSubnet[] {
    const vpc = vpcOf(vpcCidr);
    if (azs.length !== 3) throw new Error(`the subnet plan needs exactly 3 AZs, got ${azs.length}`);
    const lastQuarter: Cidr = subnet(vpc, vpc.prefix + PRIVATE_BITS, 3);
    const plan: PlannedSubnet[] = [];
    azs.forEach((az, i) => {
        const zone = az.slice(-1);
        plan.push({ tier: "private", az, zone, cidr: formatCidr(subnet(vpc, vpc.prefix + PRIVATE_BITS, i)) });
        plan.push({ tier: "public", az, zone, cidr: formatCidr(subnet(lastQuarter, vpc.prefix + SMALL_BITS, i)) });
        plan.push({ tier: "isolated", az, zone, cidr: formatCidr(subnet(lastQuarter, vpc.prefix + SMALL_BITS, 3 + i)) });
    });
    return plan;
}

/** The prefix and usable addresses (less the ones AWS reserves) of each private subnet of a VPC with this CIDR. */
export function privateSubnetAddresses(vpcCidr: string): { prefix: number; usable: number } {
    const prefix = vpcOf(vpcCidr).prefix + PRIVATE_BITS;
    return { prefix, usable: 2 ** (32 - prefix) - SUBNET_RESERVED_ADDRESSES };
}

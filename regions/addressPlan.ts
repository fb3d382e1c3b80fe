/**
 * The address plan of a cell's VPC: three tiers over three AZs, sized from the VPC prefix
 * so that a /16 and a /20 get the same shape.
 *
 * The VPC is cut in quarters. Private (workload) subnets take one quarter each: EKS's VPC
 * CNI gives every pod a VPC address, so they need by far the most. The last quarter is cut
 * in eight: three public subnets (load balancers, NAT gateways) and three isolated (data)
 * subnets, two eighths spare for later tiers.
 */
import { type Cidr, formatCidr, parseCidr, subnet } from "./cidr";

export type SubnetTier = "public" | "private" | "isolated";

export interface PlannedSubnet {
    readonly tier: SubnetTier;
    readonly az: string;
    /** Zone letter, used in names (`a`, `b`, `d`). */
    readonly zone: string;
    readonly cidr: string;
}

export function subnetPlan(vpcCidr: string, azs: readonly string[]): PlannedSubnet[] {
    const vpc = parseCidr(vpcCidr);
    if (typeof vpc === "string") throw new Error(`VPC CIDR ${vpcCidr} ${vpc}`);
    if (azs.length !== 3) throw new Error(`the subnet plan needs exactly 3 AZs, got ${azs.length}`);
    const lastQuarter: Cidr = subnet(vpc, vpc.prefix + 2, 3);
    const plan: PlannedSubnet[] = [];
    azs.forEach((az, i) => {
        const zone = az.slice(-1);
        plan.push({ tier: "private", az, zone, cidr: formatCidr(subnet(vpc, vpc.prefix + 2, i)) });
        plan.push({ tier: "public", az, zone, cidr: formatCidr(subnet(lastQuarter, vpc.prefix + 5, i)) });
        plan.push({ tier: "isolated", az, zone, cidr: formatCidr(subnet(lastQuarter, vpc.prefix + 5, 3 + i)) });
    });
    return plan;
}

/**
 * vCPU and memory of an EC2 instance type, derived from its name for the general-purpose,
 * compute and memory families (m, c, r, t): enough to check that the types of one node
 * group are interchangeable and to hand the capacity model the node shape. Pure data.
 */

export interface NodeShape {
    readonly vcpu: number;
    readonly memoryGiB: number;
}

const VCPU_BY_SIZE: Readonly<Record<string, number>> = {
    medium: 1, large: 2, xlarge: 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32, "12xlarge": 48, "16xlarge": 64, "24xlarge": 96, "32xlarge": 128, "48xlarge": 192,
};
/** GiB of memory per vCPU by family letter. */
const GIB_PER_VCPU: Readonly<Record<string, number>> = { m: 4, c: 2, r: 8, t: 4 };

/** The shape of `instanceType`, or undefined when its family or size is not one of the above. */
export function instanceShape(instanceType: string): NodeShape | undefined {
    const match = /^([mcrt])\d+[a-z-]*\.([a-z0-9]+)$/.exec(instanceType);
    if (!match) return undefined;
    const vcpu = VCPU_BY_SIZE[match[2]];
    if (vcpu === undefined) return undefined;
    // t-family sizes below xlarge are not 4 GiB per vCPU; leave them unknown rather than wrong.
    if (match[1] === "t" && vcpu < 4) return undefined;
    return { vcpu, memoryGiB: vcpu * GIB_PER_VCPU[match[1]] };
}

/**
 * How the data tier's stores are reached: where a store sits in the cell (the placement the
 * member, the proxy and the cache share), the security group of a store that admits the
 * cell's workload only, and the rule by which a client reaches the database's security
 * group (which has no inline rules).
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** Where a data store sits. */
export interface StorePlacement {
    /** AWS region of the cell. Passed to every child. */
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
    /** The cell's isolated (data) subnets. */
    readonly subnetIds: pulumi.Input<string>[];
}

/** A data store the cell's workload connects to. */
export interface WorkloadStore extends StorePlacement {
    /** Security groups of the cell's workload: the only clients admitted. */
    readonly clientSecurityGroupIds: pulumi.Input<string>[];
}

/** `${name}-sg`: tcp `port` from the workload's security groups only, and out through `egress` only (nothing by default). */
export function workloadOnlySecurityGroup(
    name: string,
    store: WorkloadStore,
    args: { readonly description: string; readonly port: number; readonly egress?: aws.types.input.ec2.SecurityGroupEgress[] },
    opts: pulumi.CustomResourceOptions,
): aws.ec2.SecurityGroup {
    return new aws.ec2.SecurityGroup(
        `${name}-sg`,
        {
            region: store.region,
            vpcId: store.vpcId,
            description: args.description,
            ingress: [
                {
                    protocol: "tcp",
                    fromPort: args.port,
                    toPort: args.port,
                    securityGroups: store.clientSecurityGroupIds,
                    description: "Cell workload",
                },
            ],
            egress: args.egress ?? [],
            tags: { Name: `${name}-sg` },
        },
        opts,
    );
}

/** The database's side of a client's rule: its security group (which has no inline rules) and its port. */
export interface DatabaseAccess {
    readonly region: string;
    readonly securityGroupId: pulumi.Input<string>;
    readonly port: number;
}

/** The rule `name` by which the client's security group reaches the database on its port. */
export function admitToDatabase(
    name: string,
    database: DatabaseAccess,
    client: { readonly securityGroupId: pulumi.Input<string>; readonly description: string },
    opts: pulumi.CustomResourceOptions,
): aws.vpc.SecurityGroupIngressRule {
    return new aws.vpc.SecurityGroupIngressRule(
        name,
        {
            region: database.region,
            securityGroupId: database.securityGroupId,
            referencedSecurityGroupId: client.securityGroupId,
            ipProtocol: "tcp",
            fromPort: database.port,
            toPort: database.port,
            description: client.description,
        },
        opts,
    );
}

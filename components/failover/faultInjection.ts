/**
 * AWS FIS experiment templates: per serving cell, one AZ impairment per AZ and one region isolation,
 * with one experiment role for the stack. Declared only: nothing runs until an operator starts
 * one (`aws fis start-experiment --region <r> --experiment-template-id <id>`, docs/qa.md).
 *
 * - AZ impairment: every subnet of the cell's VPC in that AZ loses all traffic
 *   (`aws:network:disrupt-connectivity`, scope `all`), and, in the primary's cell only, the Aurora
 *   cluster fails over (`aws:rds:failover-db-cluster`), as in AWS's "AZ Availability: Power
 *   Interruption" scenario. FailoverDBCluster promotes a reader to the cluster's writer; a global
 *   database's secondary has no writer (its members are read-only), so there the readers in the
 *   zone only lose their network and RDS Proxy routes around them. The templates follow the
 *   primary: moving it updates them in place. The cell must absorb it: its own SLO alarms are
 *   the stop conditions.
 * - Region isolation: every subnet of the cell loses all traffic, so its ALB stops answering
 *   Cloudflare's monitors (the pool goes unhealthy) and its pods lose their Aurora member. AWS's
 *   own replication is not blocked ("Traffic from AWS managed services may not be blocked",
 *   FIS "Cross-Region: Connectivity"). The cell's SLO alarms must fire here, so they cannot stop
 *   it; its data alarms (replica and global replication lag) do: isolating the cell must never
 *   make the replication, and so the RPO, worse.
 *
 * Stop conditions are alarms of the experiment's own Region; the survivors' SLO are watched by
 * the Region switch plans (their application-health alarms) and the drill.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { zoneSuffix } from "../../regions/addressPlan";
import { confinedServiceTrust, managedPolicy } from "../iam";

/** How long each fault lasts: long enough for Cloudflare's monitors and the drill to see it (docs/edge.md). */
export const FAULT_DURATION = { azImpairment: "PT10M", regionIsolation: "PT15M" } as const;

/** AWS's managed policies for the two action families (FIS guide, "IAM roles for AWS FIS experiments"). */
export const FIS_POLICIES = ["service-role/AWSFaultInjectionSimulatorNetworkAccess", "service-role/AWSFaultInjectionSimulatorRDSAccess"];

export interface FaultCell {
    readonly region: string;
    readonly code: string;
    /** The cell's AZ IDs, in order (`use1-az1`). */
    readonly zoneIds: readonly string[];
    readonly vpcId: pulumi.Input<string>;
    /** Every subnet of the cell (public, private, isolated). */
    readonly subnetIds: readonly pulumi.Input<string>[];
    readonly dbClusterArn: pulumi.Input<string>;
    /** Whether the cell holds the global database's writer (only there does an AZ loss fail Aurora over). */
    readonly primary: boolean;
    /** The cell's SLO alarms (the ALB's 5xx and p99 latency). */
    readonly sloAlarmArns: readonly pulumi.Input<string>[];
    /** The cell's replication alarms (Aurora replica lag; global lag on a secondary). */
    readonly dataAlarmArns: readonly pulumi.Input<string>[];
}

export interface FaultInjectionArgs {
    readonly cells: readonly FaultCell[];
    readonly accountId: pulumi.Input<string>;
}

export class FaultInjection extends pulumi.ComponentResource {
    /** Template ids by cell code, then by experiment (`az-<AZ ID>`, e.g. `az-use1-az1`, and `isolation`). */
    readonly templateIds: Record<string, Record<string, pulumi.Output<string>>>;

    constructor(name: string, args: FaultInjectionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:failover:FaultInjection", name, {}, opts);
        const problems = args.cells.flatMap((c) => [
            ...(c.sloAlarmArns.length === 0 ? [`${c.code}: no SLO alarm to stop the AZ impairment`] : []),
            ...(c.dataAlarmArns.length === 0 ? [`${c.code}: no data alarm to stop the isolation`] : []),
        ]);
        if (problems.length) throw new pulumi.ResourceError(`FaultInjection "${name}":\n- ${problems.join("\n- ")}`, this);

        const child = { parent: this };
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                // Only this account's experiments (AWS Resilience Hub guide, "Single-account execution
                // role": the FIS trust policy with aws:SourceAccount and aws:SourceArn).
                assumeRolePolicy: confinedServiceTrust(
                    "fis.amazonaws.com",
                    args.accountId,
                    pulumi.interpolate`arn:aws:fis:*:${args.accountId}:experiment/*`,
                ),
                description: "AWS FIS: this stack's AZ and region experiments",
            },
            child,
        );
        const attachments = FIS_POLICIES.map(
            (policy, i) =>
                new aws.iam.RolePolicyAttachment(`${name}-policy-${i + 1}`, { role: role.name, policyArn: managedPolicy(policy) }, child),
        );
        const after = { parent: this, dependsOn: attachments };
        const stopOn = (arns: readonly pulumi.Input<string>[]) => arns.map((value) => ({ source: "aws:cloudwatch:alarm", value }));
        const options = { accountTargeting: "single-account", emptyTargetResolutionMode: "fail" };
        // Every selected subnet loses its network for `duration` (both templates' first action).
        const disrupt = (actionName: string, duration: string) => ({
            name: actionName,
            actionId: "aws:network:disrupt-connectivity",
            parameters: [
                { key: "duration", value: duration },
                { key: "scope", value: "all" },
            ],
            target: { key: "Subnets", value: "subnets" },
        });

        this.templateIds = {};
        for (const cell of args.cells) {
            const ids: Record<string, pulumi.Output<string>> = {};
            const cluster = { name: "cluster", resourceType: "aws:rds:cluster", selectionMode: "ALL", resourceArns: [cell.dbClusterArn] };
            cell.zoneIds.forEach((zoneId, i) => {
                const template = new aws.fis.ExperimentTemplate(
                    // The name the template had when the catalog listed AZ names (region + positional
                    // letter): kept, so that moving to AZ IDs replaced no template. The zone is `zoneId`.
                    `${cell.code}-${name}-az-${cell.region}${zoneSuffix(i)}`,
                    {
                        region: cell.region,
                        description: cell.primary
                            ? `AZ impairment: ${zoneId} of ${cell.code} loses its network and its Aurora writer`
                            : `AZ impairment: ${zoneId} of ${cell.code} loses its network (its Aurora readers there too)`,
                        roleArn: role.arn,
                        stopConditions: stopOn(cell.sloAlarmArns),
                        experimentOptions: options,
                        targets: [
                            {
                                name: "subnets",
                                resourceType: "aws:ec2:subnet",
                                selectionMode: "ALL",
                                // FIS takes the AZ's code or its AZ ID here ("aws:ec2:subnet: availabilityZoneIdentifier
                                // – The code (for example, us-east-1a) or AZ ID (for example, use1-az1)", FIS User
                                // Guide, Targets, Resource parameters): the ID, the same zone in every account.
                                parameters: { availabilityZoneIdentifier: zoneId, vpc: cell.vpcId },
                            },
                            ...(cell.primary ? [cluster] : []),
                        ],
                        actions: [
                            disrupt("disrupt-az", FAULT_DURATION.azImpairment),
                            ...(cell.primary
                                ? [
                                      {
                                          name: "failover-aurora",
                                          actionId: "aws:rds:failover-db-cluster",
                                          target: { key: "Clusters", value: "cluster" },
                                      },
                                  ]
                                : []),
                        ],
                        tags: { Name: `${cell.code}-az-${zoneId}` },
                    },
                    after,
                );
                ids[`az-${zoneId}`] = template.id;
            });
            const isolation = new aws.fis.ExperimentTemplate(
                `${cell.code}-${name}-isolation`,
                {
                    region: cell.region,
                    description: `Region isolation: every subnet of ${cell.code} loses its network (ALB, pods, Aurora access)`,
                    roleArn: role.arn,
                    stopConditions: stopOn(cell.dataAlarmArns),
                    experimentOptions: options,
                    targets: [
                        {
                            name: "subnets",
                            resourceType: "aws:ec2:subnet",
                            selectionMode: "ALL",
                            resourceArns: cell.subnetIds.map(
                                (id) => pulumi.interpolate`arn:aws:ec2:${cell.region}:${args.accountId}:subnet/${id}`,
                            ),
                        },
                    ],
                    actions: [disrupt("isolate", FAULT_DURATION.regionIsolation)],
                    tags: { Name: `${cell.code}-isolation` },
                },
                after,
            );
            ids.isolation = isolation.id;
            this.templateIds[cell.code] = ids;
        }
        this.registerOutputs({ templateIds: this.templateIds });
    }
}

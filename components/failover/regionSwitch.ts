/**
 * The failover plan as code: one ARC Region switch plan per standby cell (ARC plans span two
 * Regions, `regions/failover.ts`), its execution role, the role's EKS access in each cell, and
 * per cell the function that shifts Cloudflare (`poolSwitchSource.ts`) with its token's secret.
 *
 * Each plan has two `activate` workflows, failover (to the standby) and failback (to the
 * primary), with the same three steps in order:
 * 1. `scale-api`: the activating cell's API Deployment to the pods the capacity model gives it
 *    with the other cell down (EKS resource scaling; ARC waits for the pods);
 * 2. `aurora`: Aurora global switchover (RPO 0) when the plan runs gracefully, failover (data
 *    loss allowed; the drill counts it) when it runs ungracefully;
 * 3. `edge`: the function in the activating Region checks that its cluster is now the writer,
 *    enables its pool, disables any pool Cloudflare judges unhealthy (the lost one), and checks
 *    that its own pool is healthy; it throws until all hold, and ARC retries it.
 * The SLO alarms of both cells are the plan's application-health alarms.
 *
 * ARC Region switch is a global service (plan ARNs carry no Region) and the provider marks the
 * plan's `region` deprecated, so the plan takes none.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type SwitchPlanModel } from "../../regions/failover";
import { FUNCTION_RUNTIME } from "../functions/invokedFunction";
import { managedPolicy, policyDocument, serviceTrust } from "../iam";
import { POOL_SWITCH_SOURCE } from "./poolSwitchSource";

/** The EKS access policy Region switch needs to scale (ARC guide, "Amazon EKS resource scaling execution block"). */
export const ARC_EKS_SCALING_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonARCRegionSwitchScalingPolicy";
/** The service principal of Region switch (the provider's example trust policy). */
export const ARC_PRINCIPAL = "arc-region-switch.amazonaws.com";

/** What the plan needs of one cell. */
export interface SwitchCell {
    readonly region: string;
    readonly code: string;
    readonly eksClusterName: pulumi.Input<string>;
    /** The API's namespace; its Deployment and HPA are both named `api` (components/compute/apiWorkload.ts). */
    readonly apiNamespace: pulumi.Input<string>;
    /** The cell's Aurora member cluster. */
    readonly dbClusterArn: pulumi.Input<string>;
    readonly poolId: pulumi.Input<string>;
    /** The cell's SLO alarms by key (the ALB's 5xx and p99 latency). */
    readonly sloAlarmArns: Readonly<Record<string, pulumi.Input<string>>>;
}

export interface RegionSwitchArgs {
    readonly project: string;
    /** Stacks may share an account: physical names carry it. */
    readonly stack: string;
    /** The plans, from `switchPlans` (plain: they decide how many plans exist). */
    readonly plans: readonly SwitchPlanModel[];
    /** Every serving cell. */
    readonly cells: readonly SwitchCell[];
    readonly accountId: pulumi.Input<string>;
    readonly globalClusterIdentifier: pulumi.Input<string>;
    readonly globalClusterArn: pulumi.Input<string>;
    readonly cloudflareAccountId: string;
    /**
     * Where the token's secret lives; every other cell reads a replica. The stack's default region
     * (`aws:region`), which no failover moves: a secret's region cannot change in place.
     */
    readonly secretRegion: string;
    /**
     * Every deployed cell's region: the secret's replicas (all but `secretRegion`). Drained cells
     * included, so that draining a cell changes no secret.
     */
    readonly replicaRegions: readonly string[];
    /** The plans' recovery time objective. */
    readonly rtoMinutes: number;
    readonly logRetentionDays: number;
}

/** Minutes ARC lets each step run before it fails the execution. */
export const STEP_TIMEOUT_MINUTES = { scale: 15, aurora: 30, edge: 15 } as const;

export class RegionSwitch extends pulumi.ComponentResource {
    /** Plan ARN by activating region. */
    readonly planArns: Record<string, pulumi.Output<string>>;
    /** Pool-switch function ARN by region. */
    readonly functionArns: Record<string, pulumi.Output<string>>;
    /** The Cloudflare token's secret (home region; replicated to every other cell's region). */
    readonly tokenSecretArn: pulumi.Output<string>;
    readonly executionRoleArn: pulumi.Output<string>;

    constructor(name: string, args: RegionSwitchArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:failover:RegionSwitch", name, {}, opts);
        const child = { parent: this };
        const cellOf = new Map(args.cells.map((c) => [c.region, c]));
        const problems = args.plans.flatMap((p) =>
            [p.activating.region, p.deactivating.region].filter((r) => !cellOf.has(r)).map((r) => `plan ${p.name}: no cell for ${r}`),
        );
        if (problems.length) throw new pulumi.ResourceError(`RegionSwitch "${name}":\n- ${problems.join("\n- ")}`, this);

        // One secret, replicated: the operator puts the token once (README, first deploy), each cell's
        // function reads its own Region's copy, so a lost home region does not stop the others. The
        // program never holds the token.
        const secretName = `${args.project}/${args.stack}/failover/cloudflare-token`;
        const secret = new aws.secretsmanager.Secret(
            `${name}-cf-token`,
            {
                region: args.secretRegion,
                name: secretName,
                description: "Cloudflare API token (Load Balancing: Monitors and Pools Write) for the failover plans' edge step",
                recoveryWindowInDays: 7,
                replicas: args.replicaRegions.filter((r) => r !== args.secretRegion).map((region) => ({ region })),
            },
            child,
        );
        this.tokenSecretArn = secret.arn;
        const poolIds = pulumi.output(Object.fromEntries(args.cells.map((c) => [c.region, c.poolId])));
        this.functionArns = {};
        for (const cell of args.cells) {
            const fn = this.poolSwitch(`${cell.code}-${name}`, cell, poolIds, secretName, args);
            this.functionArns[cell.region] = fn.arn;
        }

        const role = new aws.iam.Role(
            `${name}-role`,
            { assumeRolePolicy: serviceTrust(ARC_PRINCIPAL), description: "ARC Region switch: runs this stack's failover plans" },
            child,
        );
        const eksArn = (cell: SwitchCell) =>
            pulumi.interpolate`arn:aws:eks:${cell.region}:${args.accountId}:cluster/${cell.eksClusterName}`;
        const policy = new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: role.id,
                policy: pulumi.jsonStringify(
                    policyDocument(
                        {
                            Sid: "AuroraGlobalSwitch",
                            Effect: "Allow",
                            Action: ["rds:SwitchoverGlobalCluster", "rds:FailoverGlobalCluster"],
                            Resource: [args.globalClusterArn, ...args.cells.map((c) => c.dbClusterArn)],
                        },
                        {
                            Sid: "AuroraDescribe",
                            Effect: "Allow",
                            Action: ["rds:DescribeGlobalClusters", "rds:DescribeDBClusters"],
                            Resource: "*",
                        },
                        {
                            Sid: "EdgeFunctions",
                            Effect: "Allow",
                            Action: ["lambda:InvokeFunction", "lambda:GetFunction"],
                            Resource: Object.values(this.functionArns),
                        },
                        // As ARC's sample policies for the EKS scaling block and the health alarms
                        // (security_iam_region_switch_eks.html, security_iam_region_switch_cloudwatch.html).
                        { Sid: "EksClusters", Effect: "Allow", Action: "eks:DescribeCluster", Resource: args.cells.map(eksArn) },
                        {
                            // An access-entry action: its resource is the cluster's access entries, not the cluster.
                            Sid: "EksAccessEntries",
                            Effect: "Allow",
                            Action: "eks:ListAssociatedAccessPolicies",
                            Resource: args.cells.map(
                                (cell) =>
                                    pulumi.interpolate`arn:aws:eks:${cell.region}:${args.accountId}:access-entry/${cell.eksClusterName}/*`,
                            ),
                        },
                        {
                            Sid: "HealthAlarms",
                            Effect: "Allow",
                            Action: ["cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"],
                            Resource: "*",
                        },
                    ),
                ),
            },
            child,
        );
        // Region switch scales through the Kubernetes API: an access entry in every cell's cluster.
        const access = args.cells.map((cell) => {
            const entry = new aws.eks.AccessEntry(
                `${cell.code}-${name}-eks`,
                { region: cell.region, clusterName: cell.eksClusterName, principalArn: role.arn, type: "STANDARD" },
                child,
            );
            return new aws.eks.AccessPolicyAssociation(
                `${cell.code}-${name}-eks-scaling`,
                {
                    region: cell.region,
                    clusterName: cell.eksClusterName,
                    principalArn: entry.principalArn,
                    policyArn: ARC_EKS_SCALING_POLICY,
                    accessScope: { type: "namespace", namespaces: [cell.apiNamespace] },
                },
                child,
            );
        });

        this.planArns = {};
        for (const model of args.plans) {
            const from = cellOf.get(model.deactivating.region)!;
            const to = cellOf.get(model.activating.region)!;
            const plan = new aws.arcregionswitch.Plan(
                `${name}-plan-${to.code}`,
                {
                    name: model.name,
                    description: `Writer and traffic from ${from.region} to ${to.region}, and back`,
                    executionRole: role.arn,
                    recoveryApproach: "activePassive",
                    primaryRegion: from.region,
                    regions: [from.region, to.region],
                    recoveryTimeObjectiveMinutes: args.rtoMinutes,
                    associatedAlarms: [from, to].flatMap((cell) =>
                        Object.entries(cell.sloAlarmArns).map(([key, arn]) => ({
                            mapBlockKey: `${cell.code}-${key}`,
                            alarmType: "applicationHealth",
                            resourceIdentifier: arn,
                        })),
                    ),
                    workflows: [
                        workflow(to, [from, to], model.targetPercent, args, this.functionArns, "failover"),
                        workflow(from, [from, to], model.failbackPercent, args, this.functionArns, "failback"),
                    ],
                },
                // The plan's name is fixed and unique in the account, and a change of its regions
                // replaces it (after a failover moves the primary): delete the old one first.
                { parent: this, dependsOn: [policy, ...access], deleteBeforeReplace: true },
            );
            this.planArns[to.region] = plan.arn;
        }
        this.executionRoleArn = role.arn;
        this.registerOutputs({
            planArns: this.planArns,
            functionArns: this.functionArns,
            tokenSecretArn: this.tokenSecretArn,
            executionRoleArn: this.executionRoleArn,
        });
    }

    private poolSwitch(
        name: string,
        cell: SwitchCell,
        poolIds: pulumi.Output<Record<string, string>>,
        secretName: string,
        args: RegionSwitchArgs,
    ): aws.lambda.Function {
        const { region } = cell;
        const child = { parent: this };
        // This Region's copy of the token (the primary secret or its replica: same name, same ARN but the Region).
        const secretArn = pulumi.interpolate`arn:aws:secretsmanager:${region}:${args.accountId}:secret:${secretName}-*`;
        const role = new aws.iam.Role(
            `${name}-pool-switch-role`,
            { assumeRolePolicy: serviceTrust("lambda.amazonaws.com"), description: `Failover edge step in ${region}` },
            child,
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-pool-switch-policy`,
            {
                role: role.id,
                policy: pulumi.jsonStringify(
                    policyDocument(
                        { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [secretArn] },
                        { Effect: "Allow", Action: ["rds:DescribeGlobalClusters"], Resource: [args.globalClusterArn] },
                    ),
                ),
            },
            child,
        );
        const execution = new aws.iam.RolePolicyAttachment(
            `${name}-pool-switch-execution`,
            { role: role.name, policyArn: managedPolicy("service-role/AWSLambdaBasicExecutionRole") },
            child,
        );
        const logs = new aws.cloudwatch.LogGroup(`${name}-pool-switch-logs`, { region, retentionInDays: args.logRetentionDays }, child);
        return new aws.lambda.Function(
            `${name}-pool-switch`,
            {
                region,
                description: `Failover edge step: ${region}'s pool on, unhealthy pools off, once ${region} holds the writer`,
                runtime: FUNCTION_RUNTIME,
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(POOL_SWITCH_SOURCE) }),
                role: role.arn,
                // Three Cloudflare calls per pool; ARC retries the step until its own timeout.
                timeout: 60,
                memorySize: 256,
                loggingConfig: { logFormat: "JSON", logGroup: logs.name },
                environment: {
                    variables: {
                        CELL_REGION: region,
                        POOL_IDS: poolIds.apply((ids) => JSON.stringify(ids)),
                        CLUSTER_ARN: cell.dbClusterArn,
                        GLOBAL_CLUSTER_ID: args.globalClusterIdentifier,
                        CLOUDFLARE_ACCOUNT_ID: args.cloudflareAccountId,
                        TOKEN_SECRET_ID: secretName,
                    },
                },
            },
            { parent: this, dependsOn: [policy, execution] },
        );
    }
}

/** One `activate` workflow: scale, then Aurora, then the edge. */
function workflow(
    target: SwitchCell,
    pair: readonly SwitchCell[],
    targetPercent: number,
    args: RegionSwitchArgs,
    functionArns: Record<string, pulumi.Output<string>>,
    kind: "failover" | "failback",
): aws.types.input.arcregionswitch.PlanWorkflow {
    return {
        workflowTargetAction: "activate",
        workflowTargetRegion: target.region,
        workflowDescription: `${kind}: ${target.region} takes the writer`,
        steps: [
            {
                name: "scale-api",
                description: `API of ${target.region} to ${targetPercent}% of the deactivating cell's pods (the capacity model)`,
                executionBlockType: "EKSResourceScaling",
                eksResourceScalingConfigs: [
                    {
                        capacityMonitoringApproach: "sampledMaxInLast24Hours",
                        targetPercent,
                        timeoutMinutes: STEP_TIMEOUT_MINUTES.scale,
                        eksClusters: pair.map((cell) => ({
                            clusterArn: pulumi.interpolate`arn:aws:eks:${cell.region}:${args.accountId}:cluster/${cell.eksClusterName}`,
                        })),
                        kubernetesResourceTypes: [{ apiVersion: "apps/v1", kind: "Deployment" }],
                        // One resource per Region of the plan, keyed by the Region's name: ARC reads the
                        // deactivating Region's entry for the capacity to match and scales the activating
                        // Region's (the provider maps `resourceName` to the key of the API's map;
                        // terraform-provider-aws internal/service/arcregionswitch/expand.go
                        // expandEKSResourceScalingConfig, and its acceptance test plan_test.go
                        // testAccPlanConfig_complex, whose keys are the two Regions; ARC API reference,
                        // EksResourceScalingConfiguration.scalingResources: key pattern `[a-z]{2}-[a-z-]+-\d+`).
                        scalingResources: [
                            {
                                namespace: target.apiNamespace,
                                resources: pair.map((cell) => ({
                                    resourceName: cell.region,
                                    name: "api",
                                    namespace: cell.apiNamespace,
                                    hpaName: "api",
                                })),
                            },
                        ],
                    },
                ],
            },
            {
                name: "aurora",
                description: "Aurora global switchover (graceful, RPO 0) or failover (ungraceful, data loss allowed)",
                executionBlockType: "AuroraGlobalDatabase",
                globalAuroraConfigs: [
                    {
                        behavior: "switchoverOnly",
                        ungracefuls: [{ ungraceful: "failover" }],
                        globalClusterIdentifier: args.globalClusterIdentifier,
                        databaseClusterArns: pair.map((cell) => cell.dbClusterArn),
                        timeoutMinutes: STEP_TIMEOUT_MINUTES.aurora,
                    },
                ],
            },
            {
                name: "edge",
                description: "Check the writer, enable this pool, disable unhealthy pools, check this pool's health",
                executionBlockType: "CustomActionLambda",
                customActionLambdaConfigs: [
                    {
                        regionToRun: "activatingRegion",
                        retryIntervalMinutes: 1,
                        timeoutMinutes: STEP_TIMEOUT_MINUTES.edge,
                        lambdas: pair.map((cell) => ({ arn: functionArns[cell.region] })),
                    },
                ],
            },
        ],
    };
}

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CACHE_MAX_REPLICAS_PER_SHARD, CACHE_MAX_SHARDS, cacheNodeLimitProblem } from "../../regions/awsLimits";
import { type WorkloadStore, workloadOnlySecurityGroup } from "./access";

export const CACHE_PORT = 6379;

/** The default cluster-mode parameter group of a Valkey version ("8.1" → "default.valkey8.cluster.on"). */
export function cacheParameterGroup(engineVersion: string): string {
    return `default.valkey${engineVersion.split(".")[0]}.cluster.on`;
}

export interface CacheArgs extends WorkloadStore {
    /** The region's data key (`DatabaseMember.kmsKeyArn`): at-rest encryption. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /**
     * Prefix of the cache's user and user group ids, unique per account and region as
     * ElastiCache scopes them (it carries the project, stack and cell: `platform-prod-use1`).
     */
    readonly userIdPrefix: string;
    /** Valkey version (major.minor). */
    readonly engineVersion: string;
    readonly nodeType: string;
    /** Shards; plain because it decides how many nodes exist. @default 3 */
    readonly shards?: number;
    /** Replicas per shard (≥ 1 for multi-AZ failover). @default 1 */
    readonly replicasPerShard?: number;
    /** @default 7 */
    readonly snapshotRetentionDays?: number;
    /** Days the slow log is kept in CloudWatch. @default 30 */
    readonly logRetentionDays?: number;
}

/** What is wrong with a cache's shape (empty when nothing). Pure. */
export function cacheProblems(shape: { shards: number; replicasPerShard: number }): string[] {
    const problems: string[] = [];
    if (!Number.isInteger(shape.shards) || shape.shards < 1 || shape.shards > CACHE_MAX_SHARDS)
        problems.push(`shards ${shape.shards} is not an integer from 1 to ${CACHE_MAX_SHARDS}`);
    if (!Number.isInteger(shape.replicasPerShard) || shape.replicasPerShard < 1 || shape.replicasPerShard > CACHE_MAX_REPLICAS_PER_SHARD) {
        problems.push(
            `replicasPerShard ${shape.replicasPerShard} is not an integer from 1 to ${CACHE_MAX_REPLICAS_PER_SHARD} (multi-AZ failover needs a replica)`,
        );
    }
    const nodes = cacheNodeLimitProblem(shape.shards, shape.replicasPerShard);
    if (nodes !== undefined) problems.push(nodes);
    return problems;
}

/**
 * The cell's session and API cache: Valkey in cluster mode (3 shards × 1 replica by default:
 * the seed plan's 6 nodes), multi-AZ with automatic failover, TLS required, encrypted at
 * rest with the region's key, IAM authentication (no static secret: the pods sign 15-minute
 * tokens with their own role; the `default` user is disabled), and the slow log in CloudWatch. Regional on purpose: sessions survive a regional failover through
 * the database, not the cache (docs/database.md).
 */
export class Cache extends pulumi.ComponentResource {
    /** Cluster-mode configuration endpoint (clients discover the shards from it). */
    readonly configurationEndpoint: pulumi.Output<string>;
    /** The replication group's id: CloudWatch's node ids are `<id>-<shard>-<node>`. */
    readonly replicationGroupId: pulumi.Output<string>;
    readonly port: number;
    /** The IAM-authenticated user the workload connects as (user name = user id, as IAM auth requires). */
    readonly userId: string;
    /** `elasticache:Connect` resources for the workload's role: the replication group and the user. */
    readonly connectArns: pulumi.Output<string>[];
    readonly securityGroupId: pulumi.Output<string>;
    readonly shards: number;
    readonly replicasPerShard: number;

    constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:data:Cache", name, {}, opts);
        const shards = args.shards ?? 3;
        const replicasPerShard = args.replicasPerShard ?? 1;
        const problems = cacheProblems({ shards, replicasPerShard });
        if (problems.length) throw new pulumi.ResourceError(`Cache "${name}":\n- ${problems.join("\n- ")}`, this);
        const { region } = args;
        const child = { parent: this };
        this.port = CACHE_PORT;
        this.shards = shards;
        this.replicasPerShard = replicasPerShard;

        const subnetGroup = new aws.elasticache.SubnetGroup(
            `${name}-subnets`,
            { region, description: `${name}: isolated subnets`, subnetIds: args.subnetIds },
            child,
        );
        const sg = workloadOnlySecurityGroup(name, args, { description: "Valkey: from the cell's workload only", port: CACHE_PORT }, child);

        // IAM authentication (Valkey 7.2+, TLS required; user name = user id; AWS,
        // "Authenticating with IAM", AmazonElastiCache/latest/dg/auth-iam.html). The group must
        // hold a user named "default": it is disabled ("off"), so no connection is anonymous.
        const userId = `${args.userIdPrefix}-app`;
        const appUser = new aws.elasticache.User(
            `${name}-app-user`,
            { region, engine: "valkey", userId, userName: userId, accessString: "on ~* +@all", authenticationMode: { type: "iam" } },
            child,
        );
        const defaultUser = new aws.elasticache.User(
            `${name}-default-user`,
            {
                region,
                engine: "valkey",
                userId: `${args.userIdPrefix}-default`,
                userName: "default",
                accessString: "off -@all",
                authenticationMode: { type: "no-password-required" },
            },
            child,
        );
        const userGroup = new aws.elasticache.UserGroup(
            `${name}-users`,
            { region, engine: "valkey", userGroupId: `${args.userIdPrefix}-cache`, userIds: [defaultUser.userId, appUser.userId] },
            child,
        );

        const slowLog = new aws.cloudwatch.LogGroup(`${name}-slow-log`, { region, retentionInDays: args.logRetentionDays ?? 30 }, child);

        const group = new aws.elasticache.ReplicationGroup(
            `${name}-valkey`,
            {
                region,
                description: `${name}: sessions and API cache`,
                engine: "valkey",
                engineVersion: args.engineVersion,
                parameterGroupName: cacheParameterGroup(args.engineVersion),
                nodeType: args.nodeType,
                port: CACHE_PORT,
                clusterMode: "enabled",
                numNodeGroups: shards,
                replicasPerNodeGroup: replicasPerShard,
                automaticFailoverEnabled: true,
                multiAzEnabled: true,
                transitEncryptionEnabled: true,
                transitEncryptionMode: "required",
                atRestEncryptionEnabled: true,
                kmsKeyId: args.kmsKeyArn,
                userGroupIds: [userGroup.id],
                subnetGroupName: subnetGroup.name,
                securityGroupIds: [sg.id],
                snapshotRetentionLimit: args.snapshotRetentionDays ?? 7,
                snapshotWindow: "02:00-03:00",
                maintenanceWindow: "sun:05:30-sun:06:30",
                finalSnapshotIdentifier: `${name}-final`,
                autoMinorVersionUpgrade: true,
                logDeliveryConfigurations: [
                    {
                        destinationType: "cloudwatch-logs",
                        // A log group's id is its name.
                        destination: slowLog.id,
                        logFormat: "json",
                        logType: "slow-log",
                    },
                ],
                tags: { Name: `${name}-valkey` },
            },
            child,
        );

        this.configurationEndpoint = group.configurationEndpointAddress;
        this.replicationGroupId = group.id;
        this.userId = userId;
        this.connectArns = [group.arn, appUser.arn];
        this.securityGroupId = sg.id;
        this.registerOutputs({ configurationEndpoint: this.configurationEndpoint, port: this.port, userId: this.userId });
    }
}

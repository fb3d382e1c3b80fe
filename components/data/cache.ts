import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CACHE_MAX_REPLICAS_PER_SHARD, CACHE_MAX_SHARDS, cacheNodeLimitProblem } from "../../regions/awsLimits";
import { type WorkloadStore, workloadOnlySecurityGroup } from "./access";

export const CACHE_PORT = 6379;

/** The default cluster-mode parameter group of a Valkey version ("8.1" → "default.valkey8.cluster.on"). */
export function cacheParameterGroup(engineVersion: string): string {
    return `default.valkey${engineVersion.split(".")[0]}.cluster.on`;
}

export interface CacheArgs extends WorkloadStore {
    /** The region's data key (`DatabaseMember.kmsKeyArn`): at-rest encryption and the AUTH secret. */
    readonly kmsKeyArn: pulumi.Input<string>;
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
 * rest with the region's key, an AUTH token kept as a secret in Secrets Manager, and the
 * slow log in CloudWatch. Regional on purpose: sessions survive a regional failover through
 * the database, not the cache (docs/database.md).
 */
export class Cache extends pulumi.ComponentResource {
    /** Cluster-mode configuration endpoint (clients discover the shards from it). */
    readonly configurationEndpoint: pulumi.Output<string>;
    /** The replication group's id: CloudWatch's node ids are `<id>-<shard>-<node>`. */
    readonly replicationGroupId: pulumi.Output<string>;
    readonly port: number;
    /** Secrets Manager secret `{ "authToken": … }` the workload reads. */
    readonly authSecretArn: pulumi.Output<string>;
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

        // Alphanumeric: ElastiCache refuses some printable characters, and 64 of 62 symbols is ample.
        const token = new random.RandomPassword(`${name}-auth-token`, { length: 64, special: false }, child);
        const authToken = pulumi.secret(token.result);
        const secret = new aws.secretsmanager.Secret(
            `${name}-auth-secret`,
            { region, description: `${name}: Valkey AUTH token`, kmsKeyId: args.kmsKeyArn, recoveryWindowInDays: 7 },
            child,
        );
        new aws.secretsmanager.SecretVersion(
            `${name}-auth-secret-value`,
            { region, secretId: secret.id, secretString: pulumi.jsonStringify({ authToken }) },
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
                authToken,
                // A new token is added beside the old one, so clients can move over before SET drops it.
                authTokenUpdateStrategy: "ROTATE",
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
        this.authSecretArn = secret.arn;
        this.securityGroupId = sg.id;
        this.registerOutputs({ configurationEndpoint: this.configurationEndpoint, port: this.port, authSecretArn: this.authSecretArn });
    }
}

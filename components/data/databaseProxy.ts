import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, serviceTrust } from "../iam";
import { type DatabaseAccess, type WorkloadStore, admitToDatabase, workloadOnlySecurityGroup } from "./access";
import { CONNECTION_BUDGET, connectionBudgetProblems } from "./aurora";

/** RDS Proxy always listens on the engine's well-known port, whatever the cluster's port. */
export const PROXY_PORT = 5432;

/**
 * Pool limits (docs/database.md explains the numbers):
 * - maxConnectionsPercent: CONNECTION_BUDGET.proxyPercent (65) of the writer's max_connections;
 *   write forwarding's quota (25) and the master's reserve (10) take the rest, never more than 100.
 * - maxIdleConnectionsPercent 30: keeps about half the pool warm for bursts without holding
 *   idle backends forever (must not exceed maxConnectionsPercent).
 * - connectionBorrowTimeout 1 s (whole seconds, 0–3600): against a 30 ms budget a request
 *   that waits longer has failed anyway; fail fast so the HPA and the app's load shedding see it.
 */
export const POOL_DEFAULTS = {
    maxConnectionsPercent: CONNECTION_BUDGET.proxyPercent,
    maxIdleConnectionsPercent: 30,
    connectionBorrowTimeout: 1,
} as const;

export interface PoolLimits {
    readonly maxConnectionsPercent: number;
    readonly maxIdleConnectionsPercent: number;
    /** Seconds. */
    readonly connectionBorrowTimeout: number;
}

/** `subnetIds`: of the proxy and its read-only endpoint. */
export interface DatabaseProxyArgs extends WorkloadStore {
    /** True where the writer is: there the default (read/write) endpoint works. */
    readonly primary: boolean;
    /** The member's cluster security group (`DatabaseMember.securityGroupId`). */
    readonly databaseSecurityGroupId: pulumi.Input<string>;
    readonly databasePort: number;
    readonly clusterIdentifier: pulumi.Input<string>;
    /** `DatabaseMember.clusterArn`: its account and region build the proxy's connect grant. */
    readonly clusterArn: pulumi.Input<string>;
    /** `DatabaseMember.clusterResourceId`. */
    readonly clusterResourceId: pulumi.Input<string>;
    /**
     * Database user the workload connects as, through IAM end to end. It is created once
     * with `CREATE USER app; GRANT rds_iam TO app;` (docs/database.md). @default "app"
     */
    readonly dbUser?: string;
    /** @default POOL_DEFAULTS */
    readonly pool?: Partial<PoolLimits>;
    /** Seconds an idle client connection is kept. @default 1800 */
    readonly idleClientTimeoutSeconds?: number;
    /** The member's instances: the target is registered once they exist. */
    readonly targetDependsOn?: readonly pulumi.Resource[];
}

/** Pool limits within RDS's ranges. Pure. */
export function poolProblems(pool: PoolLimits): string[] {
    const problems: string[] = [];
    if (!(pool.maxConnectionsPercent >= 1 && pool.maxConnectionsPercent <= 100))
        problems.push(`maxConnectionsPercent ${pool.maxConnectionsPercent} is not from 1 to 100`);
    if (!(pool.maxIdleConnectionsPercent >= 0 && pool.maxIdleConnectionsPercent <= pool.maxConnectionsPercent)) {
        problems.push(
            `maxIdleConnectionsPercent ${pool.maxIdleConnectionsPercent} is not from 0 to maxConnectionsPercent (${pool.maxConnectionsPercent})`,
        );
    }
    if (!(pool.connectionBorrowTimeout >= 0 && pool.connectionBorrowTimeout <= 3600))
        problems.push(`connectionBorrowTimeout ${pool.connectionBorrowTimeout} is not from 0 to 3600 seconds`);
    problems.push(...connectionBudgetProblems({ ...CONNECTION_BUDGET, proxyPercent: pool.maxConnectionsPercent }));
    return problems;
}

/**
 * Connection pooling for one cell: an RDS Proxy on the member cluster with TLS required and
 * IAM authentication end to end (client → proxy and proxy → database), so that neither the
 * workload nor the proxy holds a database password. A read-only endpoint in every region;
 * the default endpoint is read/write and works only where the writer is (on a secondary it
 * refuses connections until that cluster is promoted).
 */
export class DatabaseProxy extends pulumi.ComponentResource {
    /** Default (read/write) endpoint. On a secondary, usable after promotion only. */
    readonly writerEndpoint: pulumi.Output<string>;
    /** Read-only endpoint (reader instances); on a secondary, writes sent here are forwarded to the primary. */
    readonly readerEndpoint: pulumi.Output<string>;
    readonly port: number;
    readonly dbUser: string;
    readonly primary: boolean;
    readonly proxyArn: pulumi.Output<string>;
    /** The proxy's name and its target group's (`default`): the dimensions of its CloudWatch metrics. */
    readonly proxyName: pulumi.Output<string>;
    readonly targetGroupName: pulumi.Output<string>;
    /** `arn:aws:rds-db:…:dbuser:prx-…/app`: the workload's IAM role is granted rds-db:connect on it. */
    readonly connectResourceArn: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;

    constructor(name: string, args: DatabaseProxyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:data:DatabaseProxy", name, {}, opts);
        const pool: PoolLimits = { ...POOL_DEFAULTS, ...args.pool };
        const problems = poolProblems(pool);
        if (problems.length) throw new pulumi.ResourceError(`DatabaseProxy "${name}":\n- ${problems.join("\n- ")}`, this);
        const { region } = args;
        const child = { parent: this };
        const dbUser = args.dbUser ?? "app";
        this.port = PROXY_PORT;
        this.dbUser = dbUser;
        this.primary = args.primary;

        const sg = workloadOnlySecurityGroup(
            name,
            args,
            {
                description: "RDS Proxy: PostgreSQL from the cell's workload only",
                port: PROXY_PORT,
                egress: [
                    {
                        protocol: "tcp",
                        fromPort: args.databasePort,
                        toPort: args.databasePort,
                        securityGroups: [args.databaseSecurityGroupId],
                        description: "Aurora",
                    },
                ],
            },
            child,
        );
        const database: DatabaseAccess = { region, securityGroupId: args.databaseSecurityGroupId, port: args.databasePort };
        admitToDatabase(`${name}-to-db`, database, { securityGroupId: sg.id, description: "RDS Proxy" }, child);

        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `${name}: RDS Proxy connects to Aurora with IAM`,
                assumeRolePolicy: serviceTrust("rds.amazonaws.com", "sts:AssumeRole"),
            },
            child,
        );
        const clusterArn = pulumi.output(args.clusterArn);
        new aws.iam.RolePolicy(
            `${name}-connect`,
            {
                role: role.id,
                policy: pulumi.jsonStringify(
                    policyDocument({
                        Effect: "Allow",
                        Action: "rds-db:connect",
                        Resource: pulumi.interpolate`arn:aws:rds-db:${region}:${clusterArn.apply(accountOf)}:dbuser:${args.clusterResourceId}/${dbUser}`,
                    }),
                ),
            },
            child,
        );

        const proxy = new aws.rds.Proxy(
            `${name}-proxy`,
            {
                region,
                engineFamily: "POSTGRESQL",
                defaultAuthScheme: "IAM_AUTH",
                requireTls: true,
                roleArn: role.arn,
                vpcSubnetIds: args.subnetIds,
                vpcSecurityGroupIds: [sg.id],
                idleClientTimeout: args.idleClientTimeoutSeconds ?? 1800,
                debugLogging: false,
                tags: { Name: `${name}-proxy` },
            },
            child,
        );
        const targetGroup = new aws.rds.ProxyDefaultTargetGroup(
            `${name}-targets`,
            {
                region,
                dbProxyName: proxy.name,
                connectionPoolConfig: {
                    maxConnectionsPercent: pool.maxConnectionsPercent,
                    maxIdleConnectionsPercent: pool.maxIdleConnectionsPercent,
                    connectionBorrowTimeout: pool.connectionBorrowTimeout,
                },
            },
            child,
        );
        const target = new aws.rds.ProxyTarget(
            `${name}-target`,
            { region, dbProxyName: proxy.name, targetGroupName: targetGroup.name, dbClusterIdentifier: args.clusterIdentifier },
            { parent: this, dependsOn: [...(args.targetDependsOn ?? [])] },
        );
        const readOnly = new aws.rds.ProxyEndpoint(
            `${name}-ro`,
            {
                region,
                dbProxyName: proxy.name,
                dbProxyEndpointName: pulumi.interpolate`${proxy.name}-ro`,
                vpcSubnetIds: args.subnetIds,
                vpcSecurityGroupIds: [sg.id],
                targetRole: "READ_ONLY",
                tags: { Name: `${name}-ro` },
            },
            { parent: this, dependsOn: [target] },
        );

        this.writerEndpoint = proxy.endpoint;
        this.readerEndpoint = readOnly.endpoint;
        this.proxyArn = proxy.arn;
        this.proxyName = proxy.name;
        this.targetGroupName = targetGroup.name;
        this.connectResourceArn = proxy.arn.apply((arn) => connectArnOf(arn, dbUser));
        this.securityGroupId = sg.id;
        this.registerOutputs({
            writerEndpoint: this.writerEndpoint,
            readerEndpoint: this.readerEndpoint,
            proxyArn: this.proxyArn,
            connectResourceArn: this.connectResourceArn,
        });
    }
}

function accountOf(arn: string): string {
    return arn.split(":")[4];
}

/** `arn:aws:rds:<region>:<account>:db-proxy:prx-…` → `arn:aws:rds-db:<region>:<account>:dbuser:prx-…/<user>`. */
export function connectArnOf(proxyArn: string, dbUser: string): string {
    const parts = proxyArn.split(":");
    return `arn:${parts[1]}:rds-db:${parts[3]}:${parts[4]}:dbuser:${parts[6]}/${dbUser}`;
}

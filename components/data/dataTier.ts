import * as pulumi from "@pulumi/pulumi";
import { type StorePlacement, type WorkloadStore } from "./access";
import { backupVaultArn, declareAirGappedVault, declareBackupVault, declareClusterBackup } from "./backups";
import { Cache } from "./cache";
import { type Migration, declareDatabaseBootstrap } from "./databaseBootstrap";
import { DatabaseMember } from "./databaseMember";
import { DatabaseProxy } from "./databaseProxy";
import { type GlobalDatabase } from "./globalDatabase";

/** The cell's Aurora member, as sized for it. */
export interface DatabaseSpec {
    /** Instance class of every instance (memory-optimised, as global databases require). */
    readonly instanceClass: string;
    /** Port the cluster listens on. */
    readonly port: number;
    /** Days of point-in-time recovery. */
    readonly backupRetentionDays: number;
    /**
     * This cell's Aurora version while a minor upgrade is under way (`DatabaseMemberArgs.engineVersionPin`).
     * @default none: the global cluster's
     */
    readonly engineVersionPin?: string;
    /** Prefix of the data tier's physical names, unique per account and region (`platform-prod-use1`). */
    readonly physicalPrefix: string;
    /** The primary bounds the region-loss RPO (DatabaseMemberArgs.rpoBounded). @default true */
    readonly rpoBounded?: boolean;
    /** Readers besides the writer, from the capacity model. Plain: it decides how many instances exist. */
    readonly readers: number;
    /** This cell's AWS Backup vault name (backupVaultName). */
    readonly backupVaultName: string;
    /** This cell's logically air-gapped vault name (airGappedVaultName). */
    readonly airGappedVaultName: string;
    /** The vaults (locked, its lock, air-gapped) exist already, kept when this region left the stack: import them. @default false */
    readonly adoptBackupVault?: boolean;
    /**
     * Another cell's vault, where the primary's recovery points are copied (used while this
     * cell is primary). @default none (a one-region stack keeps them in its region)
     */
    readonly backupCopy?: { readonly region: string; readonly vaultName: string };
}

/** The cell's Valkey cache, as sized for it. */
export interface CacheSpec {
    /** Valkey version (major.minor). */
    readonly engineVersion: string;
    readonly nodeType: string;
    /** Shards, from the capacity model. Plain: it decides how many nodes exist. */
    readonly shards: number;
    readonly replicasPerShard: number;
    /** Days automatic snapshots are kept. */
    readonly snapshotRetentionDays: number;
    /** Prefix of the cache's user and group ids, unique per account and region (`platform-prod-use1`). */
    readonly userIdPrefix: string;
}

export interface DataTierArgs {
    /** AWS region of the cell. Passed to every child. */
    readonly region: string;
    /** The account (key policies). */
    readonly accountId: pulumi.Input<string>;
    /** True for the cell that holds the Aurora writer. */
    readonly primary: boolean;
    /** The stack's one global database (created before any tier). */
    readonly global: GlobalDatabase;
    /** Secondaries only: what must exist before the member joins (the primary tier's `database.readyForSecondaries`). @default none */
    readonly databaseDependsOn?: readonly pulumi.Resource[];
    readonly vpcId: pulumi.Input<string>;
    /** Isolated subnets: Aurora, the proxy and the cache. */
    readonly isolatedSubnetIds: pulumi.Input<string>[];
    /** Private subnets (NAT): the primary's secret rotation function. */
    readonly privateSubnetIds: pulumi.Input<string>[];
    /** The cell's AZ IDs, in the order of the subnets. */
    readonly zoneIds: readonly string[];
    /** Security groups of the cell's workload: the only clients of the proxy and the cache. */
    readonly clientSecurityGroupIds: pulumi.Input<string>[];
    readonly database: DatabaseSpec;
    readonly cache: CacheSpec;
    /** Schema migrations the app ships, run by the primary's bootstrap as the master user. @default none */
    readonly migrations?: readonly Migration[];
}

/** The application's schema, created by the bootstrap. */
export const APP_SCHEMA = "app";
/** Days CloudWatch keeps the bootstrap function's logs. */
export const BOOTSTRAP_LOG_RETENTION_DAYS = 30;

/** What the workload needs to use the data tier. No secret values: only where to find them. */
export interface DataConnection {
    readonly databaseWriterEndpoint: pulumi.Output<string>;
    readonly databaseReaderEndpoint: pulumi.Output<string>;
    readonly databasePort: number;
    readonly databaseName: string;
    readonly databaseUser: string;
    /** rds-db:connect resource for the workload's IAM role. */
    readonly databaseConnectArn: pulumi.Output<string>;
    readonly cacheEndpoint: pulumi.Output<string>;
    readonly cachePort: number;
    /** The cache user the workload authenticates as with IAM (no password). */
    readonly cacheUser: string;
    /** The replication group's id: what an IAM auth token is signed for. */
    readonly cacheName: pulumi.Output<string>;
    /** `elasticache:Connect` resources for the workload's role. */
    readonly cacheConnectArns: pulumi.Output<string>[];
    /** Secrets Manager ARNs the workload's role may read (secretsmanager:GetSecretValue). */
    readonly secretArns: pulumi.Output<string>[];
    /** KMS keys of those secrets (kms:Decrypt). */
    readonly secretKmsKeyArns: pulumi.Output<string>[];
}

/**
 * One cell's data tier: its member of the global database, the RDS Proxy in front of it and
 * the Valkey cache. Name it `${cell}-data`; create the primary cell's tier first.
 */
export class DataTier extends pulumi.ComponentResource {
    readonly database: DatabaseMember;
    readonly proxy: DatabaseProxy;
    readonly cache: Cache;
    readonly connection: DataConnection;
    /**
     * What the workload waits for: on the primary, the bootstrap run that creates the app's
     * database role (the role replicates to every member; secondaries join after it through
     * `database.readyForSecondaries`). [] on a secondary.
     */
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: DataTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:data:DataTier", name, {}, opts);
        const { region, primary, global, database, cache } = args;
        const child = { parent: this };
        // Every store sits in the cell's isolated subnets; the proxy and the cache admit the cell's workload.
        const isolated: StorePlacement = { region, vpcId: args.vpcId, subnetIds: args.isolatedSubnetIds };
        const forWorkload: WorkloadStore = { ...isolated, clientSecurityGroupIds: args.clientSecurityGroupIds };

        this.database = new DatabaseMember(
            `${name}-db`,
            {
                ...isolated,
                primary,
                globalClusterIdentifier: global.globalClusterIdentifier,
                engineVersion: global.engineVersion,
                engineVersionPin: database.engineVersionPin,
                rpoBounded: database.rpoBounded,
                zoneIds: args.zoneIds,
                instanceClass: database.instanceClass,
                readers: database.readers,
                port: database.port,
                backupRetentionDays: database.backupRetentionDays,
                accountId: args.accountId,
                master: primary
                    ? { username: global.masterUsername, password: global.masterPassword, databaseName: global.databaseName }
                    : undefined,
                rotation: primary
                    ? {
                          secretArn: global.masterSecretArn,
                          secretRegion: global.secretRegion,
                          secretKmsKeyArn: global.secretKmsKeyArn,
                          owner: { resource: global, rotationName: global.rotationName },
                          subnetIds: args.privateSubnetIds,
                          functionName: `${database.physicalPrefix}-master-rotation`,
                      }
                    : undefined,
                dependsOn: args.databaseDependsOn,
            },
            child,
        );

        this.proxy = new DatabaseProxy(
            `${name}-proxy`,
            {
                ...forWorkload,
                primary,
                databaseSecurityGroupId: this.database.securityGroupId,
                databasePort: database.port,
                clusterIdentifier: this.database.clusterIdentifier,
                clusterArn: this.database.clusterArn,
                clusterResourceId: this.database.clusterResourceId,
                targetDependsOn: this.database.instances,
            },
            child,
        );

        // Day one: the role the proxy logs in as must exist before any pod connects.
        this.ready = primary
            ? [
                  declareDatabaseBootstrap(
                      `${name}-bootstrap`,
                      {
                          region,
                          vpcId: args.vpcId,
                          subnetIds: args.privateSubnetIds,
                          database: { region, securityGroupId: this.database.securityGroupId, port: database.port },
                          host: this.database.endpoint,
                          sql: {
                              appUser: this.proxy.dbUser,
                              owner: global.masterUsername,
                              database: global.databaseName,
                              schema: APP_SCHEMA,
                          },
                          masterSecretArn: global.masterSecretArn,
                          masterSecretRegion: global.secretRegion,
                          masterSecretKmsKeyArn: global.secretKmsKeyArn,
                          migrations: args.migrations,
                          logRetentionDays: BOOTSTRAP_LOG_RETENTION_DAYS,
                          dependsOn: [...this.database.instances, global],
                      },
                      this,
                  ),
              ]
            : [];

        // Every cell has a locked vault and an air-gapped one; the primary backs its cluster up into
        // the first and copies each recovery point to the next cell's and to its own air-gapped vault.
        // The plan moves with `primary` (docs/database.md, "Backups").
        const adopt = database.adoptBackupVault ?? false;
        const vault = declareBackupVault(
            `${name}-backup`,
            { region, vaultName: database.backupVaultName, adopt, kmsKeyArn: this.database.kmsKeyArn },
            this,
        );
        const airGappedVault = declareAirGappedVault(`${name}-backup`, { region, vaultName: database.airGappedVaultName, adopt }, this);
        const copy = database.backupCopy;
        if (primary)
            declareClusterBackup(
                `${name}-backup`,
                {
                    region,
                    accountId: args.accountId,
                    vault,
                    copy: copy ? { region: copy.region, vaultArn: backupVaultArn(copy.region, args.accountId, copy.vaultName) } : undefined,
                    airGappedVault,
                    clusterArn: this.database.clusterArn,
                },
                this,
            );

        this.cache = new Cache(
            `${name}-cache`,
            {
                ...forWorkload,
                kmsKeyArn: this.database.kmsKeyArn,
                userIdPrefix: cache.userIdPrefix,
                engineVersion: cache.engineVersion,
                nodeType: cache.nodeType,
                shards: cache.shards,
                replicasPerShard: cache.replicasPerShard,
                snapshotRetentionDays: cache.snapshotRetentionDays,
            },
            child,
        );

        this.connection = {
            databaseWriterEndpoint: this.proxy.writerEndpoint,
            databaseReaderEndpoint: this.proxy.readerEndpoint,
            databasePort: this.proxy.port,
            databaseName: global.databaseName,
            databaseUser: this.proxy.dbUser,
            databaseConnectArn: this.proxy.connectResourceArn,
            cacheEndpoint: this.cache.configurationEndpoint,
            cachePort: this.cache.port,
            cacheUser: this.cache.userId,
            cacheName: this.cache.replicationGroupId,
            cacheConnectArns: this.cache.connectArns,
            secretArns: [],
            secretKmsKeyArns: [this.database.kmsKeyArn],
        };
        this.registerOutputs({
            databaseWriterEndpoint: this.connection.databaseWriterEndpoint,
            databaseReaderEndpoint: this.connection.databaseReaderEndpoint,
            cacheEndpoint: this.connection.cacheEndpoint,
            secretArns: this.connection.secretArns,
        });
    }
}

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AURORA_MAX_READERS, AURORA_MAX_SECONDARY_READERS } from "../../regions/awsLimits";
import { serviceTrust } from "../iam";
import { dataKeyPolicy, protectedKey } from "../kms";
import { zoneNames } from "../network/zoneNames";
import { type StorePlacement } from "./access";
import { CA_CERTIFICATE, ENGINE, INSTANCE_PARAMETERS, clusterParameters, parameterFamily } from "./aurora";
import { type RotationArgs, declareMasterRotation } from "./masterRotation";
import { declareWriterGuard } from "./writerGuard";

export interface MasterCredentials {
    readonly username: string;
    /** A Pulumi secret. */
    readonly password: pulumi.Input<string>;
    readonly databaseName: string;
}

/** The cluster's windows (UTC): daily automated backups, then weekly cluster maintenance. */
export const CLUSTER_WINDOWS = { backup: "03:00-04:00", maintenance: "sun:04:30-sun:05:30" } as const;

/** Instances a member may have: a primary's writer and readers, or a secondary's instances. */
const MAX_INSTANCES = Math.max(1 + AURORA_MAX_READERS, AURORA_MAX_SECONDARY_READERS);

/**
 * The weekly maintenance window of a member's instance `index` (0 = the tier-0 instance): Sunday,
 * 30 minutes from 06:00 + `index` hours UTC, after the cluster's windows. Without one, RDS picks
 * "a 30-minute window selected at random from an 8-hour block of time" per instance
 * (CreateDBInstance, PreferredMaintenanceWindow), so a change deferred to the window (a new
 * `instanceClass`, OS maintenance) may reboot several instances of a cluster at once; an hour apart, they
 * reboot one at a time. The window follows the index: more readers give the new ones the next
 * slots and change no existing instance's. AWS's constraints: at least 30 minutes, outside the
 * backup window.
 */
export function instanceMaintenanceWindow(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= MAX_INSTANCES) {
        throw new Error(`instanceMaintenanceWindow: index ${index} is not an instance of a member (0 to ${MAX_INSTANCES - 1})`);
    }
    const hour = String(6 + index).padStart(2, "0");
    return `sun:${hour}:00-sun:${hour}:30`;
}

/** `subnetIds`: one per AZ. */
export interface DatabaseMemberArgs extends StorePlacement {
    /** True for the one member that holds the writer. */
    readonly primary: boolean;
    /**
     * The primary bounds the region-loss RPO (`rds.global_db_rpo`). @default true. False while no
     * secondary can meet the bound (fewer than two serving, or an unplanned failover's rebuild):
     * then every commit would block (stack/args.ts, docs/database.md).
     */
    readonly rpoBounded?: boolean;
    /** `GlobalDatabase.globalClusterIdentifier`. */
    readonly globalClusterIdentifier: pulumi.Input<string>;
    /** `GlobalDatabase.engineVersion`: every member runs the global cluster's version, unless pinned. */
    readonly engineVersion: string;
    /**
     * This member's own version while a minor upgrade is under way (docs/releases.md, "The Aurora
     * engine"): a minor of `engineVersion`'s major, sent to this cluster (not ignored), so `pulumi up`
     * upgrades this member alone, as AWS upgrades a global database's minor member by member
     * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-upgrade.html).
     * @default none: the global cluster's version, whose changes reach the member outside this resource (ignored)
     */
    readonly engineVersionPin?: string;
    /** The cell's AZ IDs; instances are spread over them in order. Plain: it places instances. */
    readonly zoneIds: readonly string[];
    readonly instanceClass: string;
    /** Readers besides the writer (secondaries: instances = 1 + readers, all readers until promotion). ≥ 2. */
    readonly readers: number;
    readonly port: number;
    /** @default 14 */
    readonly backupRetentionDays?: number;
    /** The account: the data key's policy names it (and the break-glass role). */
    readonly accountId: pulumi.Input<string>;
    /** Enhanced monitoring interval. @default 15 */
    readonly monitoringIntervalSeconds?: number;
    /** Performance Insights retention (7 is the free tier). @default 7 */
    readonly performanceInsightsRetentionDays?: number;
    /** Primary only: master user, password and database. Secondaries must not set them. */
    readonly master?: MasterCredentials;
    /** Primary only: rotate the master secret with AWS's rotation function. */
    readonly rotation?: RotationArgs;
    /**
     * Secondaries only: resources the member must wait for — the primary member's
     * `readyForSecondaries` (a member joins an existing, available global cluster).
     */
    readonly dependsOn?: readonly pulumi.Resource[];
}

/** What is wrong with a member's args (empty when nothing). Pure. */
export function memberProblems(
    args: Pick<DatabaseMemberArgs, "primary" | "readers" | "zoneIds" | "master" | "rotation" | "dependsOn"> &
        Partial<Pick<DatabaseMemberArgs, "engineVersion" | "engineVersionPin">>,
): string[] {
    const problems: string[] = [];
    const pin = args.engineVersionPin;
    // A member alone takes a minor only; a major is the global cluster's (same AWS page as engineVersionPin).
    if (pin !== undefined && args.engineVersion !== undefined && pin.split(".")[0] !== args.engineVersion.split(".")[0])
        problems.push(
            `engineVersionPin ${pin} is another major than the global cluster's ${args.engineVersion}; a major is upgraded on the global cluster`,
        );
    if (args.readers < 2) problems.push(`readers is ${args.readers}; at least 2 readers in distinct AZs are required`);
    if (new Set(args.zoneIds).size < 3)
        problems.push(`zoneIds has ${new Set(args.zoneIds).size} distinct zones; the writer and two readers need 3 distinct AZs`);
    if (args.primary) {
        if (!args.master) problems.push("the primary member needs master credentials (master)");
        if (args.dependsOn?.length) problems.push("the primary member waits for nothing (dependsOn is for secondaries)");
    } else {
        if (args.master) problems.push("a secondary member must not set master (the global cluster's primary owns the credentials)");
        if (args.rotation) problems.push("a secondary member must not rotate the master secret (the primary does)");
        if (!args.dependsOn?.length)
            problems.push("a secondary member must join after the primary (dependsOn: primary.readyForSecondaries)");
    }
    return problems;
}

/**
 * One region's cluster of the global database: the writer and readers on the primary, a
 * promotable read-only cluster (with global write forwarding) elsewhere. Encrypted with the
 * region's own KMS key, which the cell's cache also uses (`kmsKeyArn`).
 */
export class DatabaseMember extends pulumi.ComponentResource {
    readonly primary: boolean;
    readonly cluster: aws.rds.Cluster;
    readonly instances: aws.rds.ClusterInstance[];
    /** Wait for these before adding a secondary: the primary cluster and its writer. */
    readonly readyForSecondaries: pulumi.Resource[];
    readonly clusterIdentifier: pulumi.Output<string>;
    readonly clusterArn: pulumi.Output<string>;
    /** `cluster-…`: the resource of `rds-db:connect` grants. */
    readonly clusterResourceId: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly readerEndpoint: pulumi.Output<string>;
    readonly port: number;
    /** The cluster's security group; it admits nothing until a client adds a rule (the proxy does). */
    readonly securityGroupId: pulumi.Output<string>;
    /** The region's data key (rotated, protected). */
    readonly kmsKeyArn: pulumi.Output<string>;

    constructor(name: string, args: DatabaseMemberArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:data:DatabaseMember", name, {}, opts);
        const problems = memberProblems(args);
        if (problems.length) throw new pulumi.ResourceError(`DatabaseMember "${name}":\n- ${problems.join("\n- ")}`, this);
        const { region, primary } = args;
        const child = { parent: this };
        this.primary = primary;
        this.port = args.port;
        const family = parameterFamily(args.engineVersion);
        const pinned = args.engineVersionPin !== undefined;
        const engineVersion = args.engineVersionPin ?? args.engineVersion;

        const key = protectedKey(
            `${name}-key`,
            {
                region,
                description: `${name}: Aurora storage, Performance Insights and the cell's cache`,
                policy: dataKeyPolicy(args.accountId),
            },
            { parent: this },
        );

        const subnetGroup = new aws.rds.SubnetGroup(
            `${name}-subnets`,
            { region, description: `${name}: isolated subnets`, subnetIds: args.subnetIds },
            child,
        );

        // No inline rules: clients (the proxy, the rotation function) add their own rule
        // resources, and inline rules would fight with them.
        const sg = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                region,
                vpcId: args.vpcId,
                description: "Aurora: only the RDS Proxy and the rotation function connect",
                tags: { Name: `${name}-sg` },
            },
            child,
        );

        const clusterParameterGroup = new aws.rds.ClusterParameterGroup(
            `${name}-cluster-params`,
            {
                region,
                family,
                description: `${name}: TLS only, connection and DDL logging, connection split${primary ? ", managed RPO" : ""}`,
                parameters: clusterParameters(primary, args.rpoBounded ?? true).map((p) => ({ ...p, applyMethod: "immediate" })),
            },
            child,
        );
        const instanceParameters = new aws.rds.ParameterGroup(
            `${name}-instance-params`,
            {
                region,
                family,
                description: `${name}: slow statement logging`,
                parameters: INSTANCE_PARAMETERS.map((p) => ({ ...p, applyMethod: "immediate" })),
            },
            child,
        );

        const credentials = args.master;
        this.cluster = new aws.rds.Cluster(
            `${name}-cluster`,
            {
                region,
                engine: ENGINE,
                engineVersion,
                // An engine change (a pinned minor, docs/releases.md) applies now, not in the
                // maintenance window: RDS ModifyDBCluster applies EngineVersion "during the next
                // maintenance window unless ApplyImmediately is enabled", the provider sends
                // ApplyImmediately from this input (default false) and does not wait for pending
                // changes (terraform-provider-aws internal/service/rds/cluster.go), so a wave's `up`
                // would return with nothing upgraded and its bake would test nothing.
                applyImmediately: true,
                globalClusterIdentifier: args.globalClusterIdentifier,
                // Only the primary creates the database and its master user; a secondary inherits
                // both from the global cluster and must not name them.
                masterUsername: credentials?.username,
                masterPassword: credentials ? pulumi.secret(credentials.password) : undefined,
                databaseName: credentials?.databaseName,
                // On every member, the primary too: there it "does nothing until" the primary is
                // demoted by a global cluster operation, and then applies at once (RDS API,
                // CreateDBCluster EnableGlobalWriteForwarding). So a switchover's old primary
                // forwards writes without a config edit or an `up`.
                enableGlobalWriteForwarding: true,
                port: args.port,
                dbSubnetGroupName: subnetGroup.name,
                vpcSecurityGroupIds: [sg.id],
                dbClusterParameterGroupName: clusterParameterGroup.name,
                storageEncrypted: true,
                kmsKeyId: key.arn,
                iamDatabaseAuthenticationEnabled: true,
                backupRetentionPeriod: args.backupRetentionDays ?? 14,
                preferredBackupWindow: CLUSTER_WINDOWS.backup,
                preferredMaintenanceWindow: CLUSTER_WINDOWS.maintenance,
                copyTagsToSnapshot: true,
                deletionProtection: true,
                skipFinalSnapshot: false,
                // Keep the point-in-time history if the cluster is ever deleted (the provider's default deletes it).
                deleteAutomatedBackups: false,
                finalSnapshotIdentifier: `${name}-final`,
                enabledCloudwatchLogsExports: ["postgresql"],
                tags: { Name: `${name}-cluster`, Role: primary ? "primary" : "secondary" },
            },
            {
                parent: this,
                protect: true,
                dependsOn: primary ? [] : [...(args.dependsOn ?? [])],
                // engineVersion: a global upgrade changes every member outside this resource
                //   (docs/database.md), except while this member is pinned: then the pin is sent, a
                //   ModifyDBCluster of this member alone, as terraform-provider-aws upgrades a global
                //   database's minor (internal/service/rds/global_cluster.go,
                //   globalClusterUpgradeMinorEngineVersion); replicationSourceIdentifier: AWS sets it
                //   on secondaries and moves it on switchover; masterPassword: rotated in Secrets
                //   Manager after creation; masterUsername, databaseName: a member promoted by a
                //   switchover must not be replaced when config later names it primary (a change of
                //   either forces a new cluster).
                ignoreChanges: [
                    ...(pinned ? [] : ["engineVersion"]),
                    "replicationSourceIdentifier",
                    "masterPassword",
                    "masterUsername",
                    "databaseName",
                ],
            },
        );

        const monitoringRole = new aws.iam.Role(
            `${name}-monitoring-role`,
            {
                description: `${name}: RDS enhanced monitoring`,
                assumeRolePolicy: serviceTrust("monitoring.rds.amazonaws.com", "sts:AssumeRole"),
            },
            child,
        );
        const monitoringPolicy = new aws.iam.RolePolicyAttachment(
            `${name}-monitoring-policy`,
            { role: monitoringRole.id, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole" },
            child,
        );

        const count = 1 + args.readers;
        // RDS places an instance by AZ name only: the account's names of the catalog's AZ IDs.
        const zoneNamesInOrder = zoneNames(region, args.zoneIds, { parent: this });
        this.instances = [];
        for (let i = 0; i < count; i++) {
            this.instances.push(
                new aws.rds.ClusterInstance(
                    `${name}-${i + 1}`,
                    {
                        region,
                        clusterIdentifier: this.cluster.id,
                        engine: ENGINE,
                        // A new instance joins at its cluster's version; later, the cluster's upgrade upgrades it (ignored).
                        engineVersion,
                        instanceClass: args.instanceClass,
                        availabilityZone: zoneNamesInOrder.apply((names) => names[i % names.length]),
                        dbSubnetGroupName: subnetGroup.name,
                        dbParameterGroupName: instanceParameters.name,
                        publiclyAccessible: false,
                        // Tier 0 for the first instance: the preferred writer after a failover.
                        promotionTier: i === 0 ? 0 : 1,
                        preferredMaintenanceWindow: instanceMaintenanceWindow(i),
                        // Members of a global database upgrade together, through the global cluster.
                        autoMinorVersionUpgrade: false,
                        caCertIdentifier: CA_CERTIFICATE,
                        copyTagsToSnapshot: true,
                        monitoringInterval: args.monitoringIntervalSeconds ?? 15,
                        monitoringRoleArn: monitoringRole.arn,
                        performanceInsightsEnabled: true,
                        performanceInsightsKmsKeyId: key.arn,
                        performanceInsightsRetentionPeriod: args.performanceInsightsRetentionDays ?? 7,
                        tags: { Name: `${name}-${i + 1}` },
                    },
                    { parent: this, dependsOn: [monitoringPolicy], ignoreChanges: ["engineVersion"] },
                ),
            );
        }

        // Before a lower reader count (or a replacement) deletes an instance, the writer moves to
        // one that stays (writerGuard.ts). On every member: a secondary has no writer today, but a
        // switchover gives it one, and config need not say so first.
        declareWriterGuard(`${name}-writer-guard`, { region, cluster: this.cluster, instances: this.instances }, this);

        if (args.rotation)
            declareMasterRotation(
                { resource: this, region, vpcId: args.vpcId, port: args.port, instances: this.instances },
                name,
                args.rotation,
                sg,
            );

        this.readyForSecondaries = [this.cluster, this.instances[0]];
        this.clusterIdentifier = this.cluster.clusterIdentifier;
        this.clusterArn = this.cluster.arn;
        this.clusterResourceId = this.cluster.clusterResourceId;
        this.endpoint = this.cluster.endpoint;
        this.readerEndpoint = this.cluster.readerEndpoint;
        this.securityGroupId = sg.id;
        this.kmsKeyArn = key.arn;
        this.registerOutputs({
            clusterIdentifier: this.clusterIdentifier,
            clusterArn: this.clusterArn,
            endpoint: this.endpoint,
            readerEndpoint: this.readerEndpoint,
            securityGroupId: this.securityGroupId,
            kmsKeyArn: this.kmsKeyArn,
        });
    }
}

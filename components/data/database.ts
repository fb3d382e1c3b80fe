import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** Aurora PostgreSQL, as the engine string every RDS resource takes. */
export const ENGINE = "aurora-postgresql";
/** RDS CA pinned so that a CA rotation is a reviewed change, not a surprise restart. */
export const CA_CERTIFICATE = "rds-ca-rsa2048-g1";
/** Secrets Manager's single-user PostgreSQL rotation function, published by AWS in the Serverless Application Repository. */
export const ROTATION_APP_ID = "arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser";
/**
 * Pinned so a new release of the rotation function is a reviewed change. 1.1.671 is the
 * release aws-cdk pins for the aws partition; builds from 2020 (1.1.6x) run on a Lambda
 * runtime AWS no longer lets you deploy.
 */
export const ROTATION_APP_VERSION = "1.1.671";
/**
 * Characters RDS refuses in a master password (`/`, `"`, `@`, space) are left out, and so
 * are `'` and `\`: the rotation function's own default exclusions, so that the first password
 * and the rotated ones draw from the same alphabet.
 */
export const PASSWORD_SPECIALS = "!#$%&*()-_=+[]{}<>:?";

/** The cluster parameter family of an Aurora PostgreSQL version ("16.9" → "aurora-postgresql16"). */
export function parameterFamily(engineVersion: string): string {
    return `${ENGINE}${engineVersion.split(".")[0]}`;
}

/** Cluster parameters: TLS only, and the logs an incident needs. All dynamic. */
export const CLUSTER_PARAMETERS: readonly { name: string; value: string }[] = [
    { name: "rds.force_ssl", value: "1" },
    { name: "log_connections", value: "1" },
    { name: "log_disconnections", value: "1" },
    { name: "log_lock_waits", value: "1" },
    { name: "log_statement", value: "ddl" },
];
/** Instance parameters: slow statements (≥ 500 ms, well past the 30 ms budget) are logged. */
export const INSTANCE_PARAMETERS: readonly { name: string; value: string }[] = [
    { name: "log_min_duration_statement", value: "500" },
    { name: "log_temp_files", value: "0" },
];

export interface GlobalDatabaseArgs {
    /**
     * The home region (`platform:data.homeRegion`, by default the primary at creation): the
     * global cluster is managed from there and the master secret and its key live there. It
     * does not follow the primary; a change is ignored (see `ignoreChanges` below).
     */
    readonly region: string;
    /** Global cluster identifier, unique in the account (e.g. `platform-prod`). */
    readonly identifier: string;
    /** Aurora PostgreSQL version (major.minor); the one version every member runs. */
    readonly engineVersion: string;
    /** Port of the clusters, written into the master secret. */
    readonly port: number;
    /** Application database created on the primary. */
    readonly databaseName: string;
    /** Master user name. @default "platform_admin" */
    readonly masterUsername?: string;
}

/**
 * The one Aurora Global Database of the stack: the global cluster (encrypted, deletion
 * protected) and the master credentials. Created once, in the primary region, before the
 * members. RDS-managed master passwords are not supported for global clusters, so the
 * password is a `random.RandomPassword` kept as a Pulumi secret and stored in Secrets
 * Manager; the primary member rotates it there (see `DatabaseMember` `rotation`).
 *
 * Every regional child ignores changes to `region`: in @pulumi/aws 7 a new `region` replaces
 * the resource, and none of them may move. The global cluster spans every member region (any
 * region can manage it, and a switchover moves the writer, not the resource); the key and the
 * secret are regional objects whose data is where they were created. If the home region is
 * changed by mistake (or left to default while `primary` moves), the engine keeps the old
 * region instead of replacing them. docs/regions.md.
 */
export class GlobalDatabase extends pulumi.ComponentResource {
    readonly region: string;
    readonly engineVersion: string;
    readonly globalClusterIdentifier: pulumi.Output<string>;
    readonly globalClusterArn: pulumi.Output<string>;
    /** Global writer endpoint: always the writer of the current primary cluster. */
    readonly writerEndpoint: pulumi.Output<string>;
    readonly masterUsername: string;
    /** A Pulumi secret. Only the primary member's cluster reads it. */
    readonly masterPassword: pulumi.Output<string>;
    readonly databaseName: string;
    /** Secrets Manager secret holding the master credentials (rotated). */
    readonly masterSecretArn: pulumi.Output<string>;
    /** KMS key of that secret: a reader needs kms:Decrypt on it. */
    readonly secretKmsKeyArn: pulumi.Output<string>;
    /**
     * Where the master secret really is, read from its ARN: the region it was created in,
     * even if `region` has changed since (the change is ignored; see the class comment).
     */
    readonly secretRegion: pulumi.Output<string>;
    /**
     * Name of the secret's rotation setting, which the primary member declares as a child of
     * this component: its URN then stays the same whichever cell is primary (see RotationArgs).
     */
    readonly rotationName: string;

    constructor(name: string, args: GlobalDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:data:GlobalDatabase", name, {}, opts);
        const { region } = args;
        const child = { parent: this };
        this.region = region;
        this.engineVersion = args.engineVersion;
        this.masterUsername = args.masterUsername ?? "platform_admin";
        this.databaseName = args.databaseName;
        this.rotationName = `${name}-master-rotation`;

        const cluster = new aws.rds.GlobalCluster(
            `${name}-cluster`,
            {
                region,
                globalClusterIdentifier: args.identifier,
                engine: ENGINE,
                engineVersion: args.engineVersion,
                storageEncrypted: true,
                deletionProtection: true,
            },
            { parent: this, protect: true, ignoreChanges: ["region"] },
        );

        const key = new aws.kms.Key(
            `${name}-secret-key`,
            {
                region,
                description: `${name}: Aurora master credentials`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
            },
            { parent: this, protect: true, ignoreChanges: ["region"] },
        );

        const password = new random.RandomPassword(
            `${name}-master-password`,
            {
                length: 40,
                special: true,
                overrideSpecial: PASSWORD_SPECIALS,
                minLower: 2,
                minUpper: 2,
                minNumeric: 2,
                minSpecial: 2,
            },
            child,
        );
        // The provider marks `result` secret; wrapping says so here too, whatever the engine does.
        this.masterPassword = pulumi.secret(password.result);

        const secret = new aws.secretsmanager.Secret(
            `${name}-master-secret`,
            {
                region,
                description: `${name}: Aurora master user (break-glass and schema migrations; the API connects with IAM)`,
                kmsKeyId: key.arn,
                recoveryWindowInDays: 30,
            },
            { parent: this, protect: true, ignoreChanges: ["region"] },
        );
        // The rotation function owns the value once it has rotated it: Pulumi writes the first
        // value and never again (ignoreChanges), or a later `up` would restore a stale password.
        new aws.secretsmanager.SecretVersion(
            `${name}-master-secret-value`,
            {
                region,
                secretId: secret.id,
                secretString: pulumi.jsonStringify({
                    engine: "postgres",
                    host: cluster.endpoint,
                    port: args.port,
                    username: this.masterUsername,
                    password: this.masterPassword,
                    dbname: args.databaseName,
                }),
            },
            { parent: this, ignoreChanges: ["secretString", "region"] },
        );

        this.globalClusterIdentifier = cluster.globalClusterIdentifier;
        this.globalClusterArn = cluster.arn;
        this.writerEndpoint = cluster.endpoint;
        this.masterSecretArn = secret.arn;
        this.secretKmsKeyArn = key.arn;
        this.secretRegion = secret.arn.apply((arn) => arn.split(":")[3]);
        this.registerOutputs({
            globalClusterIdentifier: this.globalClusterIdentifier,
            globalClusterArn: this.globalClusterArn,
            writerEndpoint: this.writerEndpoint,
            masterSecretArn: this.masterSecretArn,
        });
    }
}

export interface MasterCredentials {
    readonly username: string;
    /** A Pulumi secret. */
    readonly password: pulumi.Input<string>;
    readonly databaseName: string;
}

export interface RotationArgs {
    /** The master secret. */
    readonly secretArn: pulumi.Input<string>;
    /**
     * Region of the master secret (`GlobalDatabase.secretRegion`, read from its ARN): after a
     * switchover it differs from the member's. @default the member's region
     */
    readonly secretRegion?: pulumi.Input<string>;
    readonly secretKmsKeyArn: pulumi.Input<string>;
    /**
     * The secret's owner (the GlobalDatabase) and the name of its rotation setting. The
     * SecretRotation is declared under it, not under the member, so that a change of primary
     * updates its function in place: a cell-named one would be created in the new primary
     * and then deleted from the old, and that delete cancels the secret's rotation.
     */
    readonly owner?: { readonly resource: pulumi.Resource; readonly rotationName: string };
    /** Subnets with a route to the Secrets Manager API (the cell's private subnets, through NAT). */
    readonly subnetIds: pulumi.Input<string>[];
    /** @default 30 */
    readonly days?: number;
}

export interface DatabaseMemberArgs {
    /** AWS region of the cell. Passed to every child. */
    readonly region: string;
    /** True for the one member that holds the writer. */
    readonly primary: boolean;
    /** `GlobalDatabase.globalClusterIdentifier`. */
    readonly globalClusterIdentifier: pulumi.Input<string>;
    /** `GlobalDatabase.engineVersion`: every member runs the global cluster's version. */
    readonly engineVersion: string;
    readonly vpcId: pulumi.Input<string>;
    /** The cell's isolated (data) subnets, one per AZ. */
    readonly subnetIds: pulumi.Input<string>[];
    /** The cell's AZs; instances are spread over them in order. Plain: it places instances. */
    readonly azs: readonly string[];
    readonly instanceClass: string;
    /** Readers besides the writer (secondaries: instances = 1 + readers, all readers until promotion). ≥ 2. */
    readonly readers: number;
    readonly port: number;
    /** @default 14 */
    readonly backupRetentionDays?: number;
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
    args: Pick<DatabaseMemberArgs, "primary" | "readers" | "azs" | "master" | "rotation" | "dependsOn">,
): string[] {
    const problems: string[] = [];
    if (args.readers < 2) problems.push(`readers is ${args.readers}; at least 2 readers in distinct AZs are required`);
    if (args.azs.length < 3) problems.push(`azs has ${args.azs.length} zones; the writer and two readers need 3 distinct AZs`);
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

        const key = new aws.kms.Key(
            `${name}-key`,
            {
                region,
                description: `${name}: Aurora storage, Performance Insights and the cell's cache`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
            },
            { parent: this, protect: true },
        );

        const subnetGroup = new aws.rds.SubnetGroup(
            `${name}-subnets`,
            {
                region,
                description: `${name}: isolated subnets`,
                subnetIds: args.subnetIds,
            },
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

        const clusterParameters = new aws.rds.ClusterParameterGroup(
            `${name}-cluster-params`,
            {
                region,
                family,
                description: `${name}: TLS only, connection and DDL logging`,
                parameters: CLUSTER_PARAMETERS.map((p) => ({ ...p, applyMethod: "immediate" })),
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
                engineVersion: args.engineVersion,
                globalClusterIdentifier: args.globalClusterIdentifier,
                // Only the primary creates the database and its master user; a secondary inherits
                // both from the global cluster and must not name them.
                masterUsername: credentials?.username,
                masterPassword: credentials ? pulumi.secret(credentials.password) : undefined,
                databaseName: credentials?.databaseName,
                // Updated in place when the role flips (not a replacing input): a switchover's old
                // primary gains it, the new primary drops it.
                enableGlobalWriteForwarding: primary ? undefined : true,
                port: args.port,
                dbSubnetGroupName: subnetGroup.name,
                vpcSecurityGroupIds: [sg.id],
                dbClusterParameterGroupName: clusterParameters.name,
                storageEncrypted: true,
                kmsKeyId: key.arn,
                iamDatabaseAuthenticationEnabled: true,
                backupRetentionPeriod: args.backupRetentionDays ?? 14,
                preferredBackupWindow: "03:00-04:00",
                preferredMaintenanceWindow: "sun:04:30-sun:05:30",
                copyTagsToSnapshot: true,
                deletionProtection: true,
                skipFinalSnapshot: false,
                finalSnapshotIdentifier: `${name}-final`,
                enabledCloudwatchLogsExports: ["postgresql"],
                tags: { Name: `${name}-cluster`, Role: primary ? "primary" : "secondary" },
            },
            {
                parent: this,
                protect: true,
                dependsOn: primary ? [] : [...(args.dependsOn ?? [])],
                // engineVersion: a global upgrade changes every member outside this resource
                //   (docs/database.md); replicationSourceIdentifier: AWS sets it on secondaries and
                //   moves it on switchover; masterPassword: rotated in Secrets Manager after creation;
                //   masterUsername, databaseName: a member promoted by a switchover must not be
                //   replaced when config later names it primary (a change of either forces a new cluster).
                ignoreChanges: ["engineVersion", "replicationSourceIdentifier", "masterPassword", "masterUsername", "databaseName"],
            },
        );

        const monitoringRole = new aws.iam.Role(
            `${name}-monitoring-role`,
            {
                description: `${name}: RDS enhanced monitoring`,
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "monitoring.rds.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
            },
            child,
        );
        const monitoringPolicy = new aws.iam.RolePolicyAttachment(
            `${name}-monitoring-policy`,
            {
                role: monitoringRole.id,
                policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
            },
            child,
        );

        const count = 1 + args.readers;
        this.instances = [];
        for (let i = 0; i < count; i++) {
            this.instances.push(
                new aws.rds.ClusterInstance(
                    `${name}-${i + 1}`,
                    {
                        region,
                        clusterIdentifier: this.cluster.id,
                        engine: ENGINE,
                        engineVersion: args.engineVersion,
                        instanceClass: args.instanceClass,
                        availabilityZone: args.azs[i % args.azs.length],
                        dbSubnetGroupName: subnetGroup.name,
                        dbParameterGroupName: instanceParameters.name,
                        publiclyAccessible: false,
                        // Tier 0 for the first instance: the preferred writer after a failover.
                        promotionTier: i === 0 ? 0 : 1,
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

        if (args.rotation) this.rotate(name, args, args.rotation, sg);

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

    /**
     * AWS's own single-user rotation function (Serverless Application Repository), run in the
     * cell's private subnets: it changes the password with ALTER USER through the global
     * writer endpoint and stores it in the secret. Pulumi ignores the cluster's
     * masterPassword and the secret's value from then on.
     */
    private rotate(name: string, args: DatabaseMemberArgs, rotation: RotationArgs, dbSg: aws.ec2.SecurityGroup): void {
        const { region } = args;
        const child = { parent: this };
        const sg = new aws.ec2.SecurityGroup(
            `${name}-rotation-sg`,
            {
                region,
                vpcId: args.vpcId,
                description: "Master secret rotation function: to Aurora and to the Secrets Manager API",
                egress: [
                    { protocol: "tcp", fromPort: args.port, toPort: args.port, securityGroups: [dbSg.id], description: "Aurora" },
                    {
                        protocol: "tcp",
                        fromPort: 443,
                        toPort: 443,
                        cidrBlocks: ["0.0.0.0/0"],
                        description: "Secrets Manager API through NAT",
                    },
                ],
                tags: { Name: `${name}-rotation-sg` },
            },
            child,
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-from-rotation`,
            {
                region,
                securityGroupId: dbSg.id,
                referencedSecurityGroupId: sg.id,
                ipProtocol: "tcp",
                fromPort: args.port,
                toPort: args.port,
                description: "Master secret rotation function",
            },
            child,
        );
        const app = new aws.serverlessrepository.CloudFormationStack(
            `${name}-rotation`,
            {
                region,
                applicationId: ROTATION_APP_ID,
                semanticVersion: ROTATION_APP_VERSION,
                capabilities: ["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"],
                parameters: {
                    functionName: `${name}-master-rotation`,
                    // The secret's region, not the function's: after a switchover they differ.
                    endpoint: pulumi.interpolate`https://secretsmanager.${rotation.secretRegion ?? region}.amazonaws.com`,
                    kmsKeyArn: rotation.secretKmsKeyArn,
                    vpcSubnetIds: pulumi.all(rotation.subnetIds).apply((ids) => ids.join(",")),
                    vpcSecurityGroupIds: sg.id,
                },
            },
            child,
        );
        new aws.secretsmanager.SecretRotation(
            rotation.owner?.rotationName ?? `${name}-master-rotation`,
            {
                // Rotation is a setting of the secret: managed in the secret's region.
                region: rotation.secretRegion ?? region,
                secretId: rotation.secretArn,
                rotationLambdaArn: app.outputs.apply((o) => o.RotationLambdaARN),
                rotationRules: { automaticallyAfterDays: rotation.days ?? 30 },
            },
            {
                parent: rotation.owner?.resource ?? this,
                dependsOn: [...this.instances],
                // Its first name, under the member, in stacks deployed before it moved.
                aliases: rotation.owner ? [{ name: `${name}-master-rotation`, parent: this }] : [],
            },
        );
    }
}

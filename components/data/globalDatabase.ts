import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { dataKeyPolicy, protectedKey } from "../kms";
import { ENGINE } from "./aurora";

/**
 * Characters RDS refuses in a master password (`/`, `"`, `@`, space) are left out, and so
 * are `'` and `\`: the rotation function's own default exclusions, so that the first password
 * and the rotated ones draw from the same alphabet.
 */
export const PASSWORD_SPECIALS = "!#$%&*()-_=+[]{}<>:?";

/** The staging label that keeps the master secret's first version (see its SecretVersion). */
export const SEED_STAGE = "platform-seed";

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
    /** The account: the secret key's policy names it. */
    readonly accountId: pulumi.Input<string>;
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

        const key = protectedKey(
            `${name}-secret-key`,
            { region, description: `${name}: Aurora master credentials`, policy: dataKeyPolicy(args.accountId) },
            { parent: this, ignoreChanges: ["region"] },
        );

        const password = new random.RandomPassword(
            `${name}-master-password`,
            { length: 40, special: true, overrideSpecial: PASSWORD_SPECIALS, minLower: 2, minUpper: 2, minNumeric: 2, minSpecial: 2 },
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
        // ignoreChanges stops an update, not a re-create: two rotations on, the first version has
        // lost AWSCURRENT and AWSPREVIOUS, and Secrets Manager may delete a version left with no
        // staging label ("considered deprecated", UpdateSecretVersionStage / DescribeSecret
        // VersionIdsToStages in the API reference); the provider then drops it from the state and
        // the next `up` puts the stale password back as AWSCURRENT (data review F12;
        // hashicorp/terraform-provider-aws#37302). A label of our own stays on the first version
        // through every rotation, so AWS keeps it and the provider always finds it; the labels
        // the rotations move are ignored like the value.
        new aws.secretsmanager.SecretVersion(
            `${name}-master-secret-value`,
            {
                region,
                secretId: secret.id,
                versionStages: ["AWSCURRENT", SEED_STAGE],
                secretString: pulumi.jsonStringify({
                    engine: "postgres",
                    host: cluster.endpoint,
                    port: args.port,
                    username: this.masterUsername,
                    password: this.masterPassword,
                    dbname: args.databaseName,
                }),
            },
            { parent: this, ignoreChanges: ["secretString", "versionStages", "region"] },
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

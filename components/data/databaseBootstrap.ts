/**
 * The database's first-day setup, run by `pulumi up` itself: the application's role (IAM
 * authentication only, no password), its grants on its own schema, and the schema
 * migrations the app ships. A Lambda in the primary cell's private subnets reads the master
 * secret and runs the statements on the primary cluster's writer (bootstrapHandler.ts); it
 * runs again whenever the statements or the migrations change, and every statement is
 * idempotent, so a re-run (or a replacement after the primary moves) changes nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { InvokedFunction, functionSecurityGroup } from "../functions/invokedFunction";
import { policyDocument } from "../iam";
import { type DatabaseAccess, admitToDatabase } from "./access";
import { BOOTSTRAP_HANDLER_SOURCE } from "./bootstrapHandler";

/**
 * Amazon's CA bundle in the Lambda Node.js runtimes (RDS CAs included); from Node.js 20 on
 * it is no longer loaded by default (AWS Compute blog "Node.js 20.x runtime now available
 * in AWS Lambda", Nov 2023), so the handler reads it for verify-full.
 */
export const LAMBDA_CA_BUNDLE = "/var/runtime/ca-cert.pem";

/** PostgreSQL identifiers this program writes unquoted: lower case, ≤ 63 bytes. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** A schema change the app ships: applied once, in order, recorded by id. */
export interface Migration {
    readonly id: string;
    readonly sql: string;
}

export interface BootstrapSql {
    /** The application's login role (IAM authentication through RDS Proxy). */
    readonly appUser: string;
    /** The master user: owner of the schema and of what migrations create. */
    readonly owner: string;
    readonly database: string;
    /** The application's schema. */
    readonly schema: string;
}

/** What is wrong with the bootstrap's names (empty when nothing). Pure. */
export function bootstrapProblems(sql: BootstrapSql, migrations: readonly Migration[] = []): string[] {
    const problems: string[] = [];
    for (const [key, value] of Object.entries(sql))
        if (!IDENTIFIER.test(value)) problems.push(`${key} "${value}" is not a lower-case PostgreSQL identifier (a-z, 0-9, _; at most 63)`);
    if (sql.appUser === sql.owner) problems.push(`appUser "${sql.appUser}" must not be the master user`);
    const ids = migrations.map((m) => m.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup !== undefined) problems.push(`migration id "${dup}" appears twice`);
    return problems;
}

/**
 * The statements, each idempotent: the role is created once and then only altered; every
 * GRANT/REVOKE is a no-op when already in force. The app may read and write rows in its
 * schema and nothing else: no DDL (migrations run as the owner), no `public` schema.
 * `rds_iam` makes RDS accept IAM tokens for the role (Aurora's built-in role).
 */
export function bootstrapStatements(sql: BootstrapSql): string[] {
    const { appUser: app, owner, database, schema } = sql;
    return [
        `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${app}') THEN CREATE ROLE ${app} LOGIN; END IF; END $$`,
        // No password: the role logs in with IAM tokens only; no role or database creation. Not
        // NOSUPERUSER or NOREPLICATION: PostgreSQL lets only a superuser name either attribute, even
        // unchanged ("must be superuser to alter superuser roles or change superuser attribute"),
        // and Aurora's master user is rds_superuser, not a superuser; CREATE ROLE leaves both off.
        `ALTER ROLE ${app} WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD NULL`,
        `GRANT rds_iam TO ${app}`,
        `REVOKE ALL ON DATABASE ${database} FROM PUBLIC`,
        `GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${app}`,
        `REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
        `CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${owner}`,
        `GRANT USAGE ON SCHEMA ${schema} TO ${app}`,
        `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${app}`,
        `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${app}`,
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${app}`,
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${schema} GRANT USAGE, SELECT ON SEQUENCES TO ${app}`,
        // A role default, applied when the backend starts: no per-session SET, so nothing pins the proxy.
        `ALTER ROLE ${app} IN DATABASE ${database} SET search_path = ${schema}`,
        `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
        `REVOKE ALL ON ${schema}.schema_migrations FROM ${app}`,
    ];
}

/** The invocation's event (no secret: the function reads the master secret by ARN). */
export function bootstrapEvent(
    sql: BootstrapSql,
    target: { host: string; port: number; secretArn: string; secretRegion: string },
    migrations: readonly Migration[],
): Record<string, unknown> {
    return {
        host: target.host,
        port: target.port,
        database: sql.database,
        statements: bootstrapStatements(sql),
        migrations,
        migrationsTable: `${sql.schema}.schema_migrations`,
        secretArn: target.secretArn,
        secretRegion: target.secretRegion,
        caFile: LAMBDA_CA_BUNDLE,
        timeoutMs: 10000,
    };
}

export interface DatabaseBootstrapArgs {
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
    /** Subnets with a route to the Secrets Manager API (the cell's private subnets, through NAT). */
    readonly subnetIds: pulumi.Input<string>[];
    /** The member's security group and port: the function is admitted by a rule of its own. */
    readonly database: DatabaseAccess;
    /** The primary cluster's own (regional) writer endpoint. */
    readonly host: pulumi.Input<string>;
    readonly sql: BootstrapSql;
    readonly masterSecretArn: pulumi.Input<string>;
    readonly masterSecretRegion: pulumi.Input<string>;
    readonly masterSecretKmsKeyArn: pulumi.Input<string>;
    /** @default none */
    readonly migrations?: readonly Migration[];
    readonly logRetentionDays: number;
    /** The writer must exist (and the secret hold its password) before the run. */
    readonly dependsOn: readonly pulumi.Resource[];
}

/** Declares the bootstrap under `parent` (the primary's data tier): its security group, DB rule and function. */
export function declareDatabaseBootstrap(name: string, args: DatabaseBootstrapArgs, parent: pulumi.ComponentResource): InvokedFunction {
    const problems = bootstrapProblems(args.sql, args.migrations);
    if (problems.length) throw new pulumi.ResourceError(`DatabaseBootstrap "${name}":\n- ${problems.join("\n- ")}`, parent);
    const { region } = args;
    const child = { parent };
    const sg = functionSecurityGroup(
        name,
        {
            region,
            vpcId: args.vpcId,
            description: "Database bootstrap function: to Aurora and to the Secrets Manager API",
            egress: [
                {
                    protocol: "tcp",
                    fromPort: args.database.port,
                    toPort: args.database.port,
                    securityGroups: [args.database.securityGroupId],
                    description: "Aurora",
                },
                { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "Secrets Manager API through NAT" },
            ],
        },
        child,
    );
    const rule = admitToDatabase(
        `${name}-to-db`,
        args.database,
        { securityGroupId: sg.id, description: "Database bootstrap function" },
        child,
    );
    const policy = pulumi.jsonStringify(
        policyDocument(
            { Sid: "ReadMasterSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: args.masterSecretArn },
            {
                Sid: "DecryptMasterSecret",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: args.masterSecretKmsKeyArn,
                Condition: { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } },
            },
        ),
    );
    const input = pulumi
        .all([args.host, args.masterSecretArn, args.masterSecretRegion])
        .apply(([host, secretArn, secretRegion]) =>
            JSON.stringify(bootstrapEvent(args.sql, { host, port: args.database.port, secretArn, secretRegion }, args.migrations ?? [])),
        );
    return new InvokedFunction(
        name,
        {
            region,
            description: `${name}: the app's IAM database role, its grants and the schema migrations`,
            source: BOOTSTRAP_HANDLER_SOURCE,
            policy,
            vpc: { subnetIds: args.subnetIds, securityGroupIds: [sg.id] },
            input,
            logRetentionDays: args.logRetentionDays,
            // Room for the schema migrations the app ships (one transaction), well inside Lambda's 900 s.
            timeoutSeconds: 300,
            dependsOn: [rule, ...args.dependsOn],
        },
        child,
    );
}

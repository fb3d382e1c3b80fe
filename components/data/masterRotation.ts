/**
 * The master secret's rotation: AWS's own single-user PostgreSQL rotation function, from the
 * Serverless Application Repository, in the primary member's private subnets.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { functionSecurityGroup } from "../functions/invokedFunction";
import { type DatabaseAccess, admitToDatabase } from "./access";

/** Secrets Manager's single-user PostgreSQL rotation function, published by AWS in the Serverless Application Repository. */
export const ROTATION_APP_ID = "arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser";
/**
 * Pinned so a new release of the rotation function is a reviewed change. 1.1.671 is the
 * release aws-cdk pins for the aws partition; builds from 2020 (1.1.6x) run on a Lambda
 * runtime AWS no longer lets you deploy.
 */
export const ROTATION_APP_VERSION = "1.1.671";

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
    /**
     * The rotation Lambda's name: unique per account and Region, so it carries the project and
     * stack (two stacks in one account would otherwise deploy the same function name, and the
     * second's CloudFormation stack would fail). @default `${name}-master-rotation`
     */
    readonly functionName?: string;
    /** @default 30 */
    readonly days?: number;
}

/** The member a rotation is declared for: its children go under `resource`. */
export interface MemberForRotation {
    readonly resource: pulumi.ComponentResource;
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
    readonly port: number;
    /** The rotation waits for the cluster's instances (it connects at once). */
    readonly instances: readonly pulumi.Resource[];
}

/**
 * AWS's own single-user rotation function (Serverless Application Repository), run in the
 * cell's private subnets: it changes the password with ALTER USER through the global
 * writer endpoint and stores it in the secret. Pulumi ignores the cluster's
 * masterPassword and the secret's value from then on.
 */
export function declareMasterRotation(member: MemberForRotation, name: string, rotation: RotationArgs, dbSg: aws.ec2.SecurityGroup): void {
    const { region } = member;
    const child = { parent: member.resource };
    const sg = functionSecurityGroup(
        `${name}-rotation`,
        {
            region,
            vpcId: member.vpcId,
            description: "Master secret rotation function: to Aurora and to the Secrets Manager API",
            egress: [
                { protocol: "tcp", fromPort: member.port, toPort: member.port, securityGroups: [dbSg.id], description: "Aurora" },
                { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "Secrets Manager API through NAT" },
            ],
        },
        child,
    );
    const database: DatabaseAccess = { region, securityGroupId: dbSg.id, port: member.port };
    admitToDatabase(`${name}-from-rotation`, database, { securityGroupId: sg.id, description: "Master secret rotation function" }, child);
    const app = new aws.serverlessrepository.CloudFormationStack(
        `${name}-rotation`,
        {
            region,
            applicationId: ROTATION_APP_ID,
            semanticVersion: ROTATION_APP_VERSION,
            capabilities: ["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"],
            parameters: {
                functionName: rotation.functionName ?? `${name}-master-rotation`,
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
            parent: rotation.owner?.resource ?? member.resource,
            dependsOn: [...member.instances],
            // Its first name, under the member, in stacks deployed before it moved.
            aliases: rotation.owner ? [{ name: `${name}-master-rotation`, parent: member.resource }] : [],
        },
    );
}

/**
 * The tiers' customer-managed KMS keys: rotated yearly, deleted only after the longest waiting
 * period, and `protect`ed so that no `pulumi up` can schedule their deletion (the data they
 * encrypt would be lost with them).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "./iam";

/**
 * The one role that may schedule a data key's deletion or disable it. It is not created by
 * this program: an organisation creates it, under its own controls, only when a key must
 * really go (docs/database.md, "Keys").
 */
export const KEY_BREAK_GLASS_ROLE = "platform-kms-break-glass";

/**
 * A data key's policy: the account administers the key through IAM (KMS's default
 * statement, so no lockout), but no principal except the break-glass role may schedule its
 * deletion or disable it, however broad its IAM policy (`kms:*`, AdministratorAccess).
 * PutKeyPolicy is not denied: KMS's lockout check would refuse the key's creation.
 */
export function dataKeyPolicy(accountId: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.jsonStringify(
        policyDocument(
            {
                Sid: "AccountAdministersThroughIam",
                Effect: "Allow",
                Principal: { AWS: pulumi.interpolate`arn:aws:iam::${accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "OnlyBreakGlassDeletesOrDisables",
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: ["kms:ScheduleKeyDeletion", "kms:DisableKey"],
                Resource: "*",
                Condition: {
                    ArnNotEquals: { "aws:PrincipalArn": pulumi.interpolate`arn:aws:iam::${accountId}:role/${KEY_BREAK_GLASS_ROLE}` },
                },
            },
        ),
    );
}

/** The longest waiting period KMS allows before a scheduled deletion (ScheduleKeyDeletion, 7–30 days). */
export const KEY_DELETION_WINDOW_DAYS = 30;

export interface ProtectedKeyArgs {
    readonly region: string;
    readonly description: string;
    /** The key policy. @default KMS's default: the account administers the key through IAM */
    readonly policy?: pulumi.Input<string>;
}

export function protectedKey(name: string, args: ProtectedKeyArgs, opts: pulumi.CustomResourceOptions): aws.kms.Key {
    return new aws.kms.Key(
        name,
        {
            region: args.region,
            description: args.description,
            enableKeyRotation: true,
            deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
            ...(args.policy !== undefined ? { policy: args.policy } : {}),
        },
        { ...opts, protect: true },
    );
}

/**
 * The tiers' customer-managed KMS keys: rotated yearly, deleted only after the longest waiting
 * period, and `protect`ed so that no `pulumi up` can schedule their deletion (the data they
 * encrypt would be lost with them).
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

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

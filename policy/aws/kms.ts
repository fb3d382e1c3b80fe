/** FSBP KMS controls on keys (inputs). */
import type * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type Inputs, flag, resourcePolicy } from "../common";
import { AWS_TYPES } from "./types";

export const kmsPolicies: ResourceValidationPolicy[] = [
    resourcePolicy({
        name: "kms-4-key-rotation",
        control: "KMS.4",
        severity: "medium",
        title: "AWS KMS symmetric keys should have rotation enabled.",
        types: [AWS_TYPES.kmsKey],
        check: (p, _a, report) => {
            const k = p as Inputs<aws.kms.KeyArgs>;
            // Rotation exists only for symmetric encryption keys.
            if (
                (k.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT") !== "SYMMETRIC_DEFAULT" ||
                (k.keyUsage ?? "ENCRYPT_DECRYPT") !== "ENCRYPT_DECRYPT"
            )
                return;
            if (!flag(k.enableKeyRotation, false))
                report(`enableKeyRotation is ${k.enableKeyRotation === undefined ? "not set (default false)" : "false"}: set it to true`);
        },
    }),
];

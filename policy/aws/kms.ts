/** FSBP KMS controls, on the inputs of keys. */
import type * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type Inputs, fsbp, requireTrue, resourcePolicy } from "../common";
import { AWS_TYPES } from "./types";

type KmsKey = Inputs<aws.kms.KeyArgs>;

export const kmsPolicies: ResourceValidationPolicy[] = [
    resourcePolicy({
        ...fsbp("kms-4-key-rotation", "KMS.4", "medium"),
        title: "AWS KMS symmetric keys should have rotation enabled.",
        types: [AWS_TYPES.kmsKey],
        check: (key: KmsKey, _args, report) => {
            // Rotation exists only for symmetric encryption keys.
            const symmetric =
                (key.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT" &&
                (key.keyUsage ?? "ENCRYPT_DECRYPT") === "ENCRYPT_DECRYPT";
            if (symmetric) requireTrue<KmsKey>(key, "enableKeyRotation", report);
        },
    }),
];

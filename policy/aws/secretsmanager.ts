/** FSBP Secrets Manager controls: SecretsManager.1, a rotation per secret, relates resources and is a stack policy. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { fsbp, stackPolicy, unreferenced } from "../common";
import { AWS_TYPES } from "./types";

export const secretsManagerStackPolicies: StackValidationPolicy[] = [
    stackPolicy({
        ...fsbp("secretsmanager-1-rotation", "SecretsManager.1", "medium"),
        title: "Secrets Manager secrets should have automatic rotation enabled (a SecretRotation per secret).",
        check: (resources, _args, report) => {
            for (const secret of unreferenced(resources, AWS_TYPES.secret, AWS_TYPES.secretRotation, ["secretId"]))
                report(`secret ${secret.name} has no aws:secretsmanager/secretRotation:SecretRotation`, secret.urn);
        },
    }),
];

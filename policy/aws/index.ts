/**
 * AWS Foundational Security Best Practices controls, one module per service. Resource
 * policies judge inputs before AWS sees them: an omitted property is judged by the
 * provider's documented default (the @pulumi/aws v7 .d.ts), so "not set" fails exactly when
 * AWS would create a non-compliant resource. The few controls that relate resources (RDS.13,
 * EC2.6, SecretsManager.1, S3.5, S3.8) are stack policies. Each policy names its control id and severity
 * in its description.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { ec2Policies, ec2StackPolicies } from "./ec2";
import { eksPolicies } from "./eks";
import { elasticachePolicies } from "./elasticache";
import { elbPolicies } from "./elb";
import { iamPolicies } from "./iam";
import { kmsPolicies } from "./kms";
import { opensearchPolicies } from "./opensearch";
import { rdsPolicies, rdsStackPolicies } from "./rds";
import { s3StackPolicies } from "./s3";
import { secretsManagerStackPolicies } from "./secretsmanager";

export { AWS_TYPES } from "./types";

export const awsPolicies: ResourceValidationPolicy[] = [
    ...eksPolicies,
    ...rdsPolicies,
    ...elasticachePolicies,
    ...opensearchPolicies,
    ...elbPolicies,
    ...ec2Policies,
    ...kmsPolicies,
    ...iamPolicies,
];

export const awsStackPolicies: StackValidationPolicy[] = [
    ...rdsStackPolicies,
    ...ec2StackPolicies,
    ...secretsManagerStackPolicies,
    ...s3StackPolicies,
];

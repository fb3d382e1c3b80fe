/**
 * AWS Foundational Security Best Practices controls, judged on resource inputs before AWS
 * sees them, one module per service. An omitted property is judged by the provider's
 * documented default (the @pulumi/aws v7 .d.ts), so "not set" fails exactly when AWS would
 * create a non-compliant resource. Each policy names its control id and severity in its
 * description.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ec2Policies } from "./ec2";
import { eksPolicies } from "./eks";
import { elasticachePolicies } from "./elasticache";
import { elbPolicies } from "./elb";
import { kmsPolicies } from "./kms";
import { opensearchPolicies } from "./opensearch";
import { rdsPolicies } from "./rds";

export const awsPolicies: ResourceValidationPolicy[] = [
    ...eksPolicies,
    ...rdsPolicies,
    ...elasticachePolicies,
    ...opensearchPolicies,
    ...elbPolicies,
    ...ec2Policies,
    ...kmsPolicies,
];

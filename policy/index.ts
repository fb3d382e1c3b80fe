// The policy pack as the Pulumi CLI runs it: `pulumi preview --policy-pack policy
// [--policy-pack-config policy/config/<stack>.json]`. Constructing the pack starts its
// analyzer server, so nothing else may import this file.
import { PolicyPack } from "@pulumi/policy";
import { PACK_ENFORCEMENT_LEVEL, PACK_NAME, policies } from "./policies";

new PolicyPack(PACK_NAME, {
    description: "AWS Foundational Security Best Practices, Kubernetes workload rules and the multi-region mission rules of the platform.",
    enforcementLevel: PACK_ENFORCEMENT_LEVEL,
    policies,
});

/**
 * Every policy of the pack, in one list. Tests and the offline plan import this module and
 * call the policies directly; only `index.ts` constructs the PolicyPack (which starts a gRPC
 * server and may exist once per process).
 */
import type { EnforcementLevel, Policies } from "@pulumi/policy";
import { awsPolicies, awsStackPolicies } from "./aws";
import { cloudflarePolicies } from "./cloudflare";
import { helmPolicies } from "./helm";
import { kubernetesPolicies } from "./kubernetes";
import { missionPolicies } from "./mission";

export const PACK_NAME = "platform-policy";

/** The pack's default level, for a policy that sets none (every policy here sets one). */
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "advisory";

export const policies: Policies = [
    ...awsPolicies,
    ...kubernetesPolicies,
    ...helmPolicies,
    ...cloudflarePolicies,
    ...missionPolicies,
    ...awsStackPolicies,
];

/**
 * FSBP IAM controls on customer managed policies (`aws:iam/policy:Policy`), and the reading of
 * an IAM policy document (JSON string or object) the S3 controls share. IAM.1 and IAM.21 judge
 * customer managed policies only: "It does not check inline and AWS managed policies"
 * (iam-controls.html#iam-1; IAM.21: "This control only applies to customer managed IAM policies").
 * Both controls exclude policies used as permissions boundaries (`excludePermissionBoundaryPolicy:
 * true`); a policy cannot see the roles that use it, so the pack judges boundaries too (this
 * program declares none).
 *
 * Unknown values (preview): a document built from other resources' outputs (ARNs) is wholly
 * unknown in a first preview. These rules then report nothing and are not "undecided": the
 * document is known when the engine analyses the resource during `pulumi up` (the resources it
 * names exist by then), which decides before the policy is created, and the program's first
 * preview leaves no policy unable to run (test/plan/preview.test.ts). Inside a known object
 * document, unknown elements are undecided and the known ones judged (`decidesOnKnown`).
 */
import type * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type Inputs, type Props, fsbp, isUnknown, list, platform, resourcePolicy, undecided } from "../common";
import { AWS_TYPES } from "./types";

/** One statement of a policy document, its list-or-string elements as lists. */
export interface Statement {
    readonly effect: string;
    readonly actions: readonly string[];
    readonly notActions: readonly string[];
    readonly resources: readonly string[];
    readonly principal: unknown;
    readonly condition: Props;
}

/** A list-or-string element as a list; an unknown list or entry is left out after `undecided`. */
function asList(value: unknown, path: string): string[] {
    if (isUnknown(value)) return (undecided(path), []);
    const entries = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
    if (entries.some(isUnknown)) undecided(path);
    return entries.filter((entry) => !isUnknown(entry)).map((entry) => String(entry));
}

/**
 * The statements of a policy document given as a JSON string or an object; undefined when the
 * string is not JSON (IAM rejects it; nothing to judge here) or the whole document is unknown
 * during preview. Inside an object document, an unknown statement or element is left out after
 * `undecided`, so what is known is still judged.
 */
export function statementsOf(document: unknown): Statement[] | undefined {
    if (isUnknown(document)) return undefined;
    let parsed: unknown = document;
    if (typeof document === "string") {
        try {
            parsed = JSON.parse(document);
        } catch {
            return undefined;
        }
    }
    if (parsed === null || typeof parsed !== "object") return undefined;
    const raw = (parsed as Props).Statement;
    if (isUnknown(raw)) return (undecided("policy.Statement"), []);
    const statements = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) as unknown[];
    return statements.flatMap((statement, i): Statement[] => {
        const path = `policy.Statement[${i}]`;
        if (isUnknown(statement) || isUnknown((statement as Props | null)?.Effect)) return (undecided(path), []);
        if (statement === null || typeof statement !== "object") return [];
        const given = statement as Props;
        return [
            {
                effect: String(given.Effect ?? ""),
                actions: asList(given.Action, `${path}.Action`),
                notActions: asList(given.NotAction, `${path}.NotAction`),
                resources: asList(given.Resource, `${path}.Resource`),
                principal: given.Principal,
                condition: (given.Condition ?? {}) as Props,
            },
        ];
    });
}

/** `service:*`, every action of one service (IAM.21); `ec2:Describe*` is not. */
const SERVICE_WILDCARD = /^[A-Za-z0-9-]+:\*$/;

/** IAM.1's finding on a document, if any: Allow "*" on "*". */
function fullAdminOf(document: unknown): string | undefined {
    const admin = (statementsOf(document) ?? []).filter(
        (statement) => statement.effect === "Allow" && statement.actions.includes("*") && statement.resources.includes("*"),
    );
    return admin.length > 0
        ? `${admin.length} statement(s) Allow Action "*" on Resource "*": grant only the actions and resources needed`
        : undefined;
}

/** IAM.21's finding on a document, if any: Allow with Action or NotAction `service:*`. */
function serviceWildcardsOf(document: unknown): string | undefined {
    const wildcards = (statementsOf(document) ?? [])
        .filter((statement) => statement.effect === "Allow")
        .flatMap((statement) => [
            ...statement.actions.filter((action) => SERVICE_WILDCARD.test(action)).map((action) => `Action ${action}`),
            ...statement.notActions.filter((action) => SERVICE_WILDCARD.test(action)).map((action) => `NotAction ${action}`),
        ]);
    return wildcards.length > 0
        ? `Allow statements use service wildcards (${wildcards.join(", ")}): list the actions needed, or a prefix such as ec2:Describe*`
        : undefined;
}

type IamPolicy = Inputs<aws.iam.PolicyArgs>;

/** Inline policy tokens: a role's, user's or group's own policy resource. */
const INLINE_POLICY_TYPES = [AWS_TYPES.iamRolePolicy, "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"];

export const iamPolicies: ResourceValidationPolicy[] = [
    resourcePolicy({
        ...fsbp("iam-1-no-full-admin", "IAM.1", "high"),
        // iam-controls.html#iam-1: fails on a statement with "Effect": "Allow" with "Action": "*" over "Resource": "*".
        title: 'IAM customer managed policies should not allow full "*" administrative privileges (Allow "*" on "*").',
        types: [AWS_TYPES.iamPolicy],
        decidesOnKnown: true,
        check: (policy: IamPolicy, _args, report) => {
            const finding = fullAdminOf(policy.policy);
            if (finding) report(finding);
        },
    }),
    resourcePolicy({
        ...fsbp("iam-21-no-service-wildcards", "IAM.21", "low"),
        // iam-controls.html#iam-21: fails on "Effect": "Allow" with "Action": "Service:*", or with
        // "NotAction": "Service:*"; a prefix with a suffixed wildcard (ec2:Describe*) passes.
        title: "IAM customer managed policies should not allow wildcard actions for services (service:*).",
        types: [AWS_TYPES.iamPolicy],
        decidesOnKnown: true,
        check: (policy: IamPolicy, _args, report) => {
            const finding = serviceWildcardsOf(policy.policy);
            if (finding) report(finding);
        },
    }),
    resourcePolicy({
        ...platform("iam-inline-least-privilege", "high"),
        // IAM.1 and IAM.21 skip inline policies, and every permission this program grants is inline
        // (RolePolicy) or AWS managed: the same two judgements, on inline documents, as our own rule.
        title: 'Inline IAM policies (RolePolicy, UserPolicy, GroupPolicy, a Role\'s inlinePolicies) should allow neither "*" on "*" nor service:* actions.',
        types: [...INLINE_POLICY_TYPES, AWS_TYPES.iamRole],
        decidesOnKnown: true,
        check: (props, args, report) => {
            const documents =
                args.type === AWS_TYPES.iamRole
                    ? list<unknown>((props as Inputs<aws.iam.RoleArgs>).inlinePolicies).map((inline, i) =>
                          isUnknown(inline)
                              ? (undecided(`inlinePolicies[${i}]`), undefined)
                              : (inline as Inputs<aws.types.input.iam.RoleInlinePolicy>).policy,
                      )
                    : [(props as Inputs<aws.iam.RolePolicyArgs>).policy];
            for (const document of documents)
                for (const finding of [fullAdminOf(document), serviceWildcardsOf(document)]) if (finding) report(finding);
        },
    }),
];

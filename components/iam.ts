/**
 * IAM documents and roles shared by the tiers. Built as plain JSON (no invoke), so the
 * plan needs no AWS call and the tests read the exact statements.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** An IAM policy document (the 2012-10-17 policy language) of `statements`, for JSON.stringify or pulumi.jsonStringify. */
export function policyDocument<S>(...statements: S[]): { Version: "2012-10-17"; Statement: S[] } {
    return { Version: "2012-10-17", Statement: statements };
}

/** The one service account a Pod Identity role is for. */
export interface PodIdentityBinding {
    readonly clusterName: pulumi.Input<string>;
    readonly namespace: pulumi.Input<string>;
    readonly serviceAccount: pulumi.Input<string>;
}

/**
 * Trust policy of a role assumed by EKS Pod Identity, for one service account of one cluster:
 * Pod Identity tags every session with the cluster, namespace and service account (session tags,
 * on unless an association disables them; none here does), and the role admits only its own.
 * Without the condition any Pod Identity association in the account could take the role (EKS
 * User Guide, "Create IAM role with trust policy required by EKS Pod Identity", Setting
 * Conditions; the tags: "Enable or disable session tags"; compute review F14).
 */
export function podIdentityTrust(binding: PodIdentityBinding): pulumi.Output<string> {
    return pulumi.jsonStringify(
        policyDocument({
            Effect: "Allow",
            Principal: { Service: "pods.eks.amazonaws.com" },
            Action: ["sts:AssumeRole", "sts:TagSession"],
            Condition: {
                StringEquals: {
                    "aws:RequestTag/eks-cluster-name": binding.clusterName,
                    "aws:RequestTag/kubernetes-namespace": binding.namespace,
                    "aws:RequestTag/kubernetes-service-account": binding.serviceAccount,
                },
            },
        }),
    );
}

/** Trust policy of a role assumed by an AWS service (e.g. `eks.amazonaws.com`); `action` as IAM takes it, one or a list. */
export function serviceTrust(service: string, action: string | readonly string[] = ["sts:AssumeRole"]): string {
    return JSON.stringify(
        policyDocument({ Effect: "Allow", Principal: { Service: service }, Action: typeof action === "string" ? action : [...action] }),
    );
}

/**
 * Trust policy of a role an AWS service assumes on behalf of this account's own resources only:
 * `aws:SourceAccount` and `aws:SourceArn` against the confused deputy (IAM User Guide, "The
 * confused deputy problem"). Only for services documented to send both keys when they assume
 * the role (each caller names its page): with a key the service does not send, the service
 * can no longer assume the role at all.
 */
export function confinedServiceTrust(
    service: string,
    accountId: pulumi.Input<string>,
    sourceArnPattern: pulumi.Input<string>,
): pulumi.Output<string> {
    return pulumi.jsonStringify(
        policyDocument({
            Effect: "Allow",
            Principal: { Service: service },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": sourceArnPattern } },
        }),
    );
}

export const managedPolicy = (name: string): string => `arn:aws:iam::aws:policy/${name}`;

/**
 * A role for one Kubernetes service account, bound through EKS Pod Identity: the role, its
 * inline policy (when given) and the association. IAM is global, so `name` carries the cell code.
 */
export function podIdentityRole(
    name: string,
    args: {
        region: string;
        clusterName: pulumi.Input<string>;
        namespace: pulumi.Input<string>;
        serviceAccount: pulumi.Input<string>;
        policy?: pulumi.Input<string>;
        managedPolicies?: readonly string[];
        description: string;
        /**
         * The association waits for the role's policies, so that the pods get the role once it can
         * do what they need. @default true
         */
        waitForPolicy?: boolean;
    },
    opts: pulumi.CustomResourceOptions,
): { role: aws.iam.Role; association: aws.eks.PodIdentityAssociation } {
    const { role, attachments } = podIdentityServiceRole(name, args, opts);
    const association = podIdentityAssociation(name, args, role, (args.waitForPolicy ?? true) ? { ...opts, dependsOn: attachments } : opts);
    return { role, association };
}

/** The association half of `podIdentityRole`: `${name}-pod-identity` binds the service account to `role`. */
function podIdentityAssociation(
    name: string,
    args: { region: string; clusterName: pulumi.Input<string>; namespace: pulumi.Input<string>; serviceAccount: pulumi.Input<string> },
    role: aws.iam.Role,
    opts: pulumi.CustomResourceOptions,
): aws.eks.PodIdentityAssociation {
    return new aws.eks.PodIdentityAssociation(
        `${name}-pod-identity`,
        {
            region: args.region,
            clusterName: args.clusterName,
            namespace: args.namespace,
            serviceAccount: args.serviceAccount,
            roleArn: role.arn,
        },
        opts,
    );
}

/**
 * The role half of `podIdentityRole`, for an EKS add-on that creates its own association
 * (`podIdentityAssociations`): a second association of the same service account would fail.
 */
export function podIdentityServiceRole(
    name: string,
    args: PodIdentityBinding & { policy?: pulumi.Input<string>; managedPolicies?: readonly string[]; description: string },
    opts: pulumi.CustomResourceOptions,
): { role: aws.iam.Role; attachments: pulumi.Resource[] } {
    const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: podIdentityTrust(args), description: args.description }, opts);
    const attachments: pulumi.Resource[] = [];
    if (args.policy !== undefined) attachments.push(new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: args.policy }, opts));
    (args.managedPolicies ?? []).forEach((arn, i) => {
        attachments.push(new aws.iam.RolePolicyAttachment(`${name}-managed-${i}`, { role: role.name, policyArn: arn }, opts));
    });
    return { role, attachments };
}

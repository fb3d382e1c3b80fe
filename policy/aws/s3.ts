/**
 * FSBP S3 controls on general purpose buckets. Since provider v4 a bucket's public access block
 * and policy are resources of their own that name the bucket, so both controls relate resources
 * and are stack policies: S3.8 (a BucketPublicAccessBlock with all four settings on) and S3.5 (a
 * bucket policy that denies requests without TLS). S3.1 is the account-level block
 * (`AWS::::Account`, s3-controls.html#s3-1): this program declares no
 * aws:s3/accountPublicAccessBlock, so it is not judged here.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { type Props, fsbp, isSet, isUnknown, knownProp, refersTo, resourcesOfType, stackPolicy, whenKnown } from "../common";
import { type Statement, statementsOf } from "./iam";
import { AWS_TYPES } from "./types";

/** S3.8's settings, each `false` by default (@pulumi/aws v7 s3/bucketPublicAccessBlock.d.ts). */
export const PUBLIC_ACCESS_SETTINGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

const NOT_YET_KNOWN = Symbol("unknown during preview");

/** The resources of `type` that name `bucket` through their `bucket` input. */
function ofBucket(resources: readonly PolicyResource[], type: string, bucket: PolicyResource): PolicyResource[] {
    return resourcesOfType(resources, type).filter((resource) => refersTo(resource, bucket, ["bucket"]));
}

const isEveryone = (principal: unknown): boolean =>
    principal === "*" || (principal !== null && typeof principal === "object" && [(principal as Props).AWS].flat().includes("*"));

/**
 * The statement S3.5 asks for (s3-controls.html#s3-5): Deny, to everyone, of every S3 action
 * (`s3:*`), when `aws:SecureTransport` is false. Its Resource is not compared: it holds the
 * bucket's ARN, which is unknown until the bucket exists.
 */
export function deniesInsecureTransport(statement: Statement): boolean {
    const bool = (statement.condition.Bool ?? {}) as Props;
    return (
        statement.effect === "Deny" &&
        isEveryone(statement.principal) &&
        // "The prefix and the action name are case insensitive" (IAM User Guide, reference_policies_elements_action.html).
        statement.actions.some((action) => action.toLowerCase() === "s3:*" || action === "*") &&
        String(bool["aws:SecureTransport"]).toLowerCase() === "false"
    );
}

export const s3StackPolicies: StackValidationPolicy[] = [
    stackPolicy({
        ...fsbp("s3-8-block-public-access", "S3.8", "high"),
        title: "S3 general purpose buckets should block public access (a BucketPublicAccessBlock with all four settings true).",
        check: (resources, _args, report) => {
            for (const bucket of resourcesOfType(resources, ...AWS_TYPES.s3Buckets)) {
                const blocks = ofBucket(resources, AWS_TYPES.s3PublicAccessBlock, bucket);
                if (blocks.length === 0) {
                    report(`bucket ${bucket.name} has no aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock`, bucket.urn);
                    continue;
                }
                for (const block of blocks) {
                    // An unknown setting is undecided (knownProp); an omitted one is false.
                    const off = PUBLIC_ACCESS_SETTINGS.filter((key) => {
                        const read = knownProp(block, key);
                        return read !== undefined && read.value !== true;
                    });
                    if (off.length > 0)
                        report(
                            `bucket ${bucket.name}: ${off.join(", ")} not true (each defaults to false); set all four to true`,
                            block.urn,
                        );
                }
            }
        },
    }),
    stackPolicy({
        ...fsbp("s3-5-require-tls", "S3.5", "medium"),
        title: 'S3 general purpose buckets should require requests to use SSL (a bucket policy denying "s3:*" when aws:SecureTransport is false).',
        check: (resources, _args, report) => {
            for (const bucket of resourcesOfType(resources, ...AWS_TYPES.s3Buckets)) {
                // The bucket's deprecated inline `policy` counts as its policy too, when known: a stack
                // policy reads outputs, and a bucket's `policy` output is computed, so in a preview it
                // is unknown whether or not anything sets it (s3/bucket.d.ts). Unknown: not set, so a
                // bucket with no BucketPolicy is reported even in a first preview.
                const inline = whenKnown(() => isSet(bucket.props.policy), false);
                const documents = [...(inline ? [bucket] : []), ...ofBucket(resources, AWS_TYPES.s3BucketPolicy, bucket)];
                if (documents.length === 0) {
                    report(
                        `bucket ${bucket.name} has no bucket policy: add one that denies "s3:*" when aws:SecureTransport is false`,
                        bucket.urn,
                    );
                    continue;
                }
                const requiresTls = documents.some((holder) => {
                    const document = whenKnown<unknown>(() => holder.props.policy, NOT_YET_KNOWN);
                    // In a first preview the whole document is unknown (it holds the bucket's ARN):
                    // the rule then requires only that the policy exists, as it does for any
                    // reference, and judges its statements in every later preview and update.
                    if (document === NOT_YET_KNOWN || isUnknown(document)) return true;
                    // An object document may hold unknown values deeper down: read as unknown too.
                    return whenKnown(() => (statementsOf(document) ?? []).some(deniesInsecureTransport), true);
                });
                if (!requiresTls)
                    report(`bucket ${bucket.name}: no policy statement denies "s3:*" to "*" when aws:SecureTransport is false`, bucket.urn);
            }
        },
    }),
];

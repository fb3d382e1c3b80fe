// FSBP S3 controls on small resource graphs: S3.8 (a public access block with all four settings
// true per bucket) and S3.5 (a bucket policy denying s3:* without TLS), compliant, omitted and
// non-compliant, offline (relations by dependency) and as the engine hands them during preview
// (relations by property dependency, unknown values behind its proxy: undecided, never a pass).
import * as assert from "node:assert/strict";
import type { PolicyResource } from "@pulumi/policy";
import { UNKNOWN, fixture, flagged, previewFindings, previewed } from "../../support/policy";

const BUCKET = "aws:s3/bucket:Bucket";
const BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const ALL_BLOCKED = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
/** The statement the program's log bucket carries (components/compute/originIngress.ts) and S3.5's remediation shows. */
const TLS_ONLY = {
    Sid: "TlsOnly",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
};
const DELIVERY = {
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::127311923021:root" },
    Action: "s3:PutObject",
    Resource: "arn:aws:s3:::logs/*",
};
const documentOf = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement });

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UnknownValueError } = require("@pulumi/policy/proxy") as { UnknownValueError: new () => Error };

/** Stack policy `name` as the engine runs it in preview: findings, and whether it could not run (UnknownValueError). */
async function underPreview(name: string, resources: PolicyResource[]): Promise<{ violations: string[]; undecided: boolean }> {
    try {
        return { violations: await previewFindings(name, resources), undecided: false };
    } catch (err) {
        if (err instanceof UnknownValueError) return { violations: [], undecided: true };
        throw err;
    }
}

describe("policy pack: S3", () => {
    it("s3-8-block-public-access: each bucket needs a public access block naming it with all four settings true", async () => {
        const good = fixture(BUCKET, "good", {});
        const goodBlock = fixture(BLOCK, "good-pab", { bucket: "good", ...ALL_BLOCKED }, { dependsOn: [good] });
        const partial = fixture(BUCKET, "partial", {});
        const partialBlock = fixture(
            BLOCK,
            "partial-pab",
            { bucket: "partial", blockPublicAcls: true, blockPublicPolicy: false },
            { dependsOn: [partial] },
        );
        const bare = fixture(BUCKET, "bare", {});
        // A block of another bucket does not count.
        const elsewhere = fixture(BLOCK, "elsewhere-pab", { bucket: "other", ...ALL_BLOCKED });
        assert.deepEqual(await flagged("s3-8-block-public-access", [good, goodBlock, partial, partialBlock, bare, elsewhere]), [
            "partial-pab: bucket partial: blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets not true (each defaults to false); set all four to true",
            "bare: bucket bare has no aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        ]);
    });

    it("s3-5-require-tls: each bucket needs a policy denying s3:* to * when aws:SecureTransport is false", async () => {
        const good = fixture(BUCKET, "good", {});
        const goodPolicy = fixture(
            BUCKET_POLICY,
            "good-policy",
            { bucket: "good", policy: documentOf(DELIVERY, TLS_ONLY) },
            { dependsOn: [good] },
        );
        // The control page writes the action "S3:*": action names are case-insensitive.
        const inline = fixture(BUCKET, "inline", { policy: documentOf({ ...TLS_ONLY, Action: "S3:*" }) });
        const allowOnly = fixture(BUCKET, "allow-only", {});
        const allowPolicy = fixture(
            BUCKET_POLICY,
            "allow-only-policy",
            { bucket: "allow-only", policy: documentOf(DELIVERY) },
            { dependsOn: [allowOnly] },
        );
        // Denying only PutObject without TLS is not "all requests (Action: S3:*)" (s3-controls.html#s3-5).
        const narrow = fixture(BUCKET, "narrow", {});
        const narrowPolicy = fixture(
            BUCKET_POLICY,
            "narrow-policy",
            { bucket: "narrow", policy: documentOf({ ...TLS_ONLY, Action: "s3:PutObject" }) },
            { dependsOn: [narrow] },
        );
        // The condition turned around denies TLS requests, not the others.
        const inverted = fixture(BUCKET, "inverted", {
            policy: documentOf({ ...TLS_ONLY, Condition: { Bool: { "aws:SecureTransport": "true" } } }),
        });
        const bare = fixture(BUCKET, "bare", {});
        assert.deepEqual(
            await flagged("s3-5-require-tls", [good, goodPolicy, inline, allowOnly, allowPolicy, narrow, narrowPolicy, inverted, bare]),
            [
                'allow-only: bucket allow-only: no policy statement denies "s3:*" to "*" when aws:SecureTransport is false',
                'narrow: bucket narrow: no policy statement denies "s3:*" to "*" when aws:SecureTransport is false',
                'inverted: bucket inverted: no policy statement denies "s3:*" to "*" when aws:SecureTransport is false',
                'bare: bucket bare has no bucket policy: add one that denies "s3:*" when aws:SecureTransport is false',
            ],
        );
    });

    describe("during preview", () => {
        const bucket = previewed(BUCKET, "logs", { bucket: UNKNOWN });
        const to = (resource: PolicyResource) => ({ propertyDependencies: { bucket: [resource] } });

        it("S3.5: a bucket policy whose document is still unknown (it holds the bucket's ARN) counts as present; a missing one fails", async () => {
            // A first preview must decide (test/plan/preview.test.ts: no policy left unable to run):
            // the policy exists and names the bucket; its statements are judged once known.
            const policy = previewed(BUCKET_POLICY, "logs-policy", { bucket: UNKNOWN, policy: UNKNOWN }, to(bucket));
            assert.deepEqual(await underPreview("s3-5-require-tls", [bucket, policy]), { violations: [], undecided: false });
            // A known failure elsewhere is still reported.
            const bare = previewed(BUCKET, "bare", {});
            assert.deepEqual(await underPreview("s3-5-require-tls", [bucket, policy, bare]), {
                violations: ['bare: bucket bare has no bucket policy: add one that denies "s3:*" when aws:SecureTransport is false'],
                undecided: false,
            });
            const known = previewed(BUCKET_POLICY, "logs-policy", { bucket: UNKNOWN, policy: documentOf(TLS_ONLY) }, to(bucket));
            assert.deepEqual(await underPreview("s3-5-require-tls", [bucket, known]), { violations: [], undecided: false });
            // The bucket's own `policy` output is computed, so unknown in a preview: it is no policy.
            const computed = previewed(BUCKET, "computed", { bucket: UNKNOWN, policy: UNKNOWN });
            assert.deepEqual(await underPreview("s3-5-require-tls", [computed]), {
                violations: [
                    'computed: bucket computed has no bucket policy: add one that denies "s3:*" when aws:SecureTransport is false',
                ],
                undecided: false,
            });
        });

        it("S3.8: relates the block by property dependency while the bucket's name is unknown; an unknown setting is undecided", async () => {
            const blocked = previewed(BLOCK, "logs-pab", { bucket: UNKNOWN, ...ALL_BLOCKED }, to(bucket));
            assert.deepEqual(await underPreview("s3-8-block-public-access", [bucket, blocked]), { violations: [], undecided: false });
            const unknown = previewed(BLOCK, "logs-pab", { bucket: UNKNOWN, ...ALL_BLOCKED, restrictPublicBuckets: UNKNOWN }, to(bucket));
            assert.deepEqual(await underPreview("s3-8-block-public-access", [bucket, unknown]), { violations: [], undecided: true });
            const off = previewed(BLOCK, "logs-pab", { bucket: UNKNOWN, blockPublicAcls: UNKNOWN, ignorePublicAcls: false }, to(bucket));
            assert.deepEqual(await underPreview("s3-8-block-public-access", [bucket, off]), {
                violations: [
                    "logs-pab: bucket logs: blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets not true (each defaults to false); set all four to true",
                ],
                undecided: false,
            });
        });
    });
});

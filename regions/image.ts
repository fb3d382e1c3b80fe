/**
 * The API image as ECR names it, and its name in another region of the same registry: ECR
 * replication copies a pushed image to each destination region under the same repository and
 * the same digest, so a cell pulls `<account>.dkr.ecr.<its region>.amazonaws.com/<repo>@<digest>`
 * through its own VPC endpoints and never depends on the source region to scale out.
 */

export interface EcrImage {
    readonly account: string;
    /** The region the release pipeline pushes to (replication's source). */
    readonly region: string;
    readonly repository: string;
    /** `sha256:<64 hex>` */
    readonly digest: string;
}

const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com\/([a-z0-9]+(?:[._\-/][a-z0-9]+)*)@(sha256:[0-9a-f]{64})$/;

/** The parts of a private ECR image pinned by digest, or undefined for any other reference. */
export function parseEcrImage(image: string): EcrImage | undefined {
    const m = ECR_IMAGE.exec(image);
    return m ? { account: m[1], region: m[2], repository: m[3], digest: m[4] } : undefined;
}

/** The same image (repository and digest) in `region`'s replica of the registry. */
export function imageIn(image: EcrImage, region: string): string {
    return `${image.account}.dkr.ecr.${region}.amazonaws.com/${image.repository}@${image.digest}`;
}

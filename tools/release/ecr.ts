/**
 * ECR `DescribeImages` (JSON 1.1 protocol: a POST with `X-Amz-Target:
 * AmazonEC2ContainerRegistry_V20150921.DescribeImages`, SigV4 for the `ecr` service; ECR API
 * Reference, https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html):
 * whether an image digest is in a region's replica of the registry before a wave sends a cell to
 * pull it. The endpoint is `https://api.ecr.<region>.amazonaws.com/`, or `AWS_ENDPOINT_URL_ECR`
 * (the SDKs' service-specific endpoint variable) when set.
 */
import { type EcrImage } from "../../regions/image";
import { signedHeaders } from "./cloudwatch";
import { type CredentialSource } from "./credentials";

export interface ImageApi {
    /** True when `image`'s repository in `region` holds its digest; false when ECR answers ImageNotFound or RepositoryNotFound. */
    hasImage(region: string, image: EcrImage): Promise<boolean>;
}

export const DESCRIBE_IMAGES_TARGET = "AmazonEC2ContainerRegistry_V20150921.DescribeImages";

export function ecrImages(credentials: CredentialSource, env: NodeJS.ProcessEnv, timeoutMs = 30_000): ImageApi {
    return {
        async hasImage(region, image) {
            const url = new URL(env.AWS_ENDPOINT_URL_ECR || `https://api.ecr.${region}.amazonaws.com/`);
            const body = JSON.stringify({
                registryId: image.account,
                repositoryName: image.repository,
                imageIds: [{ imageDigest: image.digest }],
            });
            const response = await fetch(url, {
                method: "POST",
                headers: signedHeaders(
                    url,
                    body,
                    region,
                    await credentials(),
                    new Date(),
                    "ecr",
                    { "x-amz-target": DESCRIBE_IMAGES_TARGET },
                    "application/x-amz-json-1.1",
                ),
                body,
                signal: AbortSignal.timeout(timeoutMs),
            });
            const text = await response.text();
            let answer: { __type?: string; message?: string; imageDetails?: { imageDigest?: string }[] } = {};
            try {
                answer = JSON.parse(text);
            } catch {
                // An answer that is not JSON is reported below by its status.
            }
            // The error's type may carry a namespace prefix ("com.amazonaws.ecr#ImageNotFoundException").
            const type = (answer.__type ?? "").split("#").pop();
            if (type === "ImageNotFoundException" || type === "RepositoryNotFoundException") return false;
            if (!response.ok)
                throw new Error(`ECR DescribeImages in ${region}: HTTP ${response.status} ${type ?? ""} ${answer.message ?? ""}`.trim());
            return (answer.imageDetails ?? []).some((d) => d.imageDigest === image.digest);
        },
    };
}

/**
 * AWS credentials for the release's own reads (CloudWatch, ECR): the keys of the environment the
 * release was given when it holds them (the first link of the SDK's chain too), otherwise the AWS
 * SDK for JavaScript v3's default credential chain (`@aws-sdk/credential-provider-node`
 * `defaultProvider`: SSO token cache, web identity, the shared config and credentials files with
 * `AWS_PROFILE`, credential_process, container and instance metadata;
 * https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html), so a profile or
 * an SSO session works as it does for `pulumi up` and the AWS CLI.
 */
import { defaultProvider } from "@aws-sdk/credential-provider-node";

export interface AwsCredentials {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
}

export type CredentialSource = () => Promise<AwsCredentials>;

/** The credentials of the usual environment variables; undefined when they are not set. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): AwsCredentials | undefined {
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) return undefined;
    return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

/** The keys of `env`, or the default chain with `env`'s profile and shared files (memoized and refreshed by the SDK). */
export function credentialSource(env: NodeJS.ProcessEnv): CredentialSource {
    const keys = credentialsFromEnv(env);
    if (keys) return async () => keys;
    const chain = defaultProvider({
        profile: env.AWS_PROFILE || undefined,
        filepath: env.AWS_SHARED_CREDENTIALS_FILE || undefined,
        configFilepath: env.AWS_CONFIG_FILE || undefined,
    });
    return async () => {
        try {
            const c = await chain();
            return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken };
        } catch (err) {
            throw new Error(
                `no AWS credentials for the health gate (${(err as Error).message.split("\n")[0]}): set AWS_PROFILE (after aws sso login for an SSO profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
                { cause: err },
            );
        }
    };
}

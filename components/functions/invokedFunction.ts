/**
 * A function that `pulumi up` runs: a Node.js Lambda with its role and log group, invoked
 * once when created and again whenever its input or its code changes. For what AWS offers no
 * resource for (database users, a log domain's security settings): the handler does the
 * work through the service's API and must be idempotent, since a replacement runs it again.
 */
import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { managedPolicy, serviceTrust } from "../iam";

/** The runtime: current Node.js LTS on Lambda, with the AWS SDK for JavaScript v3 built in. */
export const FUNCTION_RUNTIME = aws.lambda.Runtime.NodeJS22dX;

export interface InvokedFunctionArgs {
    /** AWS region of the function and of what it calls. */
    readonly region: string;
    readonly description: string;
    /**
     * The handler: CommonJS source that exports `handler(event)`. It may require Node's own
     * modules and the AWS SDK v3 clients the runtime ships, nothing else (no bundling step).
     */
    readonly source: string;
    /** Inline policy of the function's role: exactly what the handler calls. */
    readonly policy: pulumi.Input<string>;
    /** Run in these subnets with these security groups. @default outside any VPC */
    readonly vpc?: { readonly subnetIds: pulumi.Input<string>[]; readonly securityGroupIds: pulumi.Input<string>[] };
    /** The event, as JSON. A change of it (or of `source`) runs the function again. */
    readonly input: pulumi.Input<string>;
    /** Days CloudWatch keeps the function's logs. */
    readonly logRetentionDays: number;
    /** Seconds one run may take. @default 120 */
    readonly timeoutSeconds?: number;
    /** What must exist before the function runs. @default none */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export class InvokedFunction extends pulumi.ComponentResource {
    readonly functionArn: pulumi.Output<string>;
    readonly roleArn: pulumi.Output<string>;
    /** What the handler returned, as JSON. */
    readonly result: pulumi.Output<string>;

    constructor(name: string, args: InvokedFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:functions:InvokedFunction", name, {}, opts);
        const { region } = args;
        const child = { parent: this };
        const role = new aws.iam.Role(
            `${name}-role`,
            { assumeRolePolicy: serviceTrust("lambda.amazonaws.com"), description: args.description },
            child,
        );
        const policy = new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: args.policy }, child);
        // Logs, and in a VPC the ENIs the function needs: AWS's managed policies for exactly that.
        const execution = new aws.iam.RolePolicyAttachment(
            `${name}-execution`,
            {
                role: role.name,
                policyArn: managedPolicy(`service-role/${args.vpc ? "AWSLambdaVPCAccessExecutionRole" : "AWSLambdaBasicExecutionRole"}`),
            },
            child,
        );
        const logs = new aws.cloudwatch.LogGroup(`${name}-logs`, { region, retentionInDays: args.logRetentionDays }, child);
        const fn = new aws.lambda.Function(
            `${name}-function`,
            {
                region,
                description: args.description,
                runtime: FUNCTION_RUNTIME,
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(args.source) }),
                role: role.arn,
                timeout: args.timeoutSeconds ?? 120,
                memorySize: 256,
                loggingConfig: { logFormat: "JSON", logGroup: logs.name },
                ...(args.vpc ? { vpcConfig: { subnetIds: args.vpc.subnetIds, securityGroupIds: args.vpc.securityGroupIds } } : {}),
            },
            { parent: this, dependsOn: [policy, execution] },
        );
        const invocation = new aws.lambda.Invocation(
            `${name}-run`,
            {
                region,
                functionName: fn.name,
                input: args.input,
                // The provider runs the function only on create or replace: a new handler must run too.
                triggers: { source: sourceHash(args.source) },
            },
            { parent: this, dependsOn: [fn, ...(args.dependsOn ?? [])] },
        );
        this.functionArn = fn.arn;
        this.roleArn = role.arn;
        this.result = invocation.result;
        this.registerOutputs({ functionArn: this.functionArn, result: this.result });
    }
}

/**
 * `${name}-sg`, the security group of a function in a VPC: it admits nothing (a function is never
 * called over the network) and lets out only `egress`.
 */
export function functionSecurityGroup(
    name: string,
    args: {
        readonly region: string;
        readonly vpcId: pulumi.Input<string>;
        readonly description: string;
        readonly egress: aws.types.input.ec2.SecurityGroupEgress[];
    },
    opts: pulumi.CustomResourceOptions,
): aws.ec2.SecurityGroup {
    return new aws.ec2.SecurityGroup(
        `${name}-sg`,
        { region: args.region, vpcId: args.vpcId, description: args.description, egress: args.egress, tags: { Name: `${name}-sg` } },
        opts,
    );
}

/** The handler's digest, in the invocation's triggers. */
export function sourceHash(source: string): string {
    return createHash("sha256").update(source).digest("hex");
}

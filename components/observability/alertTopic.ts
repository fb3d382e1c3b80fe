/** A cell's alert topic: KMS-encrypted SNS that CloudWatch alarms and Alertmanager publish to. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "../iam";
import { protectedKey } from "../kms";

export interface AlertTopicArgs {
    readonly region: string;
    readonly accountId: pulumi.Input<string>;
}

/**
 * The region's alert topic, encrypted with its own KMS key. CloudWatch alarms and
 * Alertmanager publish here; operators subscribe (e-mail, chat, paging) out of band.
 */
export class AlertTopic extends pulumi.ComponentResource {
    readonly topicArn: pulumi.Output<string>;
    readonly keyArn: pulumi.Output<string>;

    constructor(name: string, args: AlertTopicArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:AlertTopic", name, {}, opts);
        const { region } = args;
        const key = protectedKey(
            `${name}-key`,
            {
                region,
                description: `Encryption of the alert topic ${name}`,
                policy: pulumi.jsonStringify(
                    policyDocument(
                        {
                            Sid: "AccountAdministersTheKey",
                            Effect: "Allow",
                            Principal: { AWS: pulumi.interpolate`arn:aws:iam::${args.accountId}:root` },
                            Action: "kms:*",
                            Resource: "*",
                        },
                        {
                            // CloudWatch alarms publish to an encrypted topic only if the key lets them.
                            Sid: "CloudWatchAlarmsPublish",
                            Effect: "Allow",
                            Principal: { Service: "cloudwatch.amazonaws.com" },
                            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                            Resource: "*",
                            Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
                        },
                    ),
                ),
            },
            { parent: this },
        );
        const topic = new aws.sns.Topic(
            `${name}-topic`,
            { region, displayName: `Platform alerts ${region}`, kmsMasterKeyId: key.arn },
            { parent: this },
        );
        this.topicArn = topic.arn;
        this.keyArn = key.arn;
        this.registerOutputs({ topicArn: this.topicArn, keyArn: this.keyArn });
    }
}

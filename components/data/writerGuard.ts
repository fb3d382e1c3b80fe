/**
 * The writer guard (data review F15): instances are indexed `-1..-n` and a lower reader count
 * deletes the highest-numbered ones; after an in-region failover one of them may be the writer,
 * and deleting it forces a second, unplanned failover (about 30 s without writes). The guard,
 * a function `pulumi up` runs whenever the set of instances that stay changes, moves the writer
 * to the first of them beforehand (writerGuardHandler.ts).
 *
 * Why it runs before the delete: the engine deletes resources the program no longer declares
 * only once the program has exited (pulumi/pulumi pkg/resource/deploy/deployment_executor.go:
 * "The SourceIterator sends us a `nil` event ... we should begin processing deletes"), and the
 * program exits only after every registration has answered, which the resource monitor does
 * when the step is done (source_eval.go, RegisterResource: "block waiting for the operation to
 * finish"; developer-docs/architecture: "...Pulumi program exits... Generate delete steps").
 * So the guard's invocation, a registered resource, finishes before any removed instance is
 * deleted; if it fails, the update stops and nothing is deleted.
 *
 * Why it runs again: its input lists the instances that stay, and terraform-provider-aws's
 * aws_lambda_invocation (internal/service/lambda/invocation.go,
 * customizeDiffInputChangeWithCreateOnlyScope) forces a new resource when `input` changes under
 * the default lifecycle_scope CREATE_ONLY: a replacement, whose create invokes the function
 * (Pulumi creates a replacement before deleting the old one); the old invocation's delete
 * invokes nothing. @pulumi/aws 7.48.0's lambda/invocation.d.ts has the same schema
 * (lifecycleScope, tenantId, pulumiKey). An unchanged set is no diff: nothing runs again.
 */
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { InvokedFunction } from "../functions/invokedFunction";
import { policyDocument } from "../iam";
import { WRITER_GUARD_HANDLER_SOURCE } from "./writerGuardHandler";

/**
 * How long the guard waits for a failover to finish: Aurora's failover "typically within 30
 * seconds" (Amazon Aurora FAQs, as regions/recovery.ts cites), ten times over; the function
 * may run a minute longer (Lambda allows 900 s).
 */
export const WRITER_GUARD_TIMEOUT_SECONDS = 300;
const POLL_SECONDS = 10;
/** Days CloudWatch keeps the guard's logs (the failovers it made). */
export const WRITER_GUARD_LOG_RETENTION_DAYS = 30;

/** The invocation's event: the instances that stay, in index order (the first is the preferred writer, promotion tier 0). */
export function writerGuardEvent(region: string, clusterIdentifier: string, keep: readonly string[]): Record<string, unknown> {
    return { region, clusterIdentifier, keep: [...keep], timeoutMs: WRITER_GUARD_TIMEOUT_SECONDS * 1000, pollMs: POLL_SECONDS * 1000 };
}

export interface WriterGuardArgs {
    readonly region: string;
    readonly cluster: aws.rds.Cluster;
    /** Every instance the program declares, in index order: the ones that stay. */
    readonly instances: readonly aws.rds.ClusterInstance[];
}

/** Declares the guard under `parent` (the member): a function outside any VPC (it calls the RDS API only). */
export function declareWriterGuard(name: string, args: WriterGuardArgs, parent: pulumi.ComponentResource): InvokedFunction {
    // The two calls the handler makes, on this cluster only: both take the cluster's ARN as
    // their resource (Service Authorization Reference, "Actions, resources, and condition keys
    // for Amazon RDS": DescribeDBClusters and FailoverDBCluster, resource type cluster*; AWS's
    // AWSFaultInjectionSimulatorRDSAccess grants rds:FailoverDBCluster on cluster ARNs alike).
    const policy = pulumi.jsonStringify(
        policyDocument(
            { Sid: "ReadWriter", Effect: "Allow", Action: "rds:DescribeDBClusters", Resource: args.cluster.arn },
            { Sid: "MoveWriter", Effect: "Allow", Action: "rds:FailoverDBCluster", Resource: args.cluster.arn },
        ),
    );
    // The instances' identifiers, once each is created or updated: the guard runs after them.
    const input = pulumi
        .all([args.cluster.clusterIdentifier, ...args.instances.map((i) => i.identifier)])
        .apply(([cluster, ...keep]) => JSON.stringify(writerGuardEvent(args.region, cluster, keep)));
    return new InvokedFunction(
        name,
        {
            region: args.region,
            description: `${name}: keeps the Aurora writer on an instance that stays before pulumi up deletes instances`,
            source: WRITER_GUARD_HANDLER_SOURCE,
            policy,
            input,
            logRetentionDays: WRITER_GUARD_LOG_RETENTION_DAYS,
            timeoutSeconds: WRITER_GUARD_TIMEOUT_SECONDS + 60,
        },
        { parent },
    );
}

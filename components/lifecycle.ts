import * as pulumi from "@pulumi/pulumi";
import { isStateful } from "../regions/stateful";

/**
 * Transformation for a cell marked `decommission: true`: every resource of the cell that
 * holds data (a stateful type, or anything the components protect, e.g. KMS keys and log
 * buckets) gets `retainOnDelete: true`, so that removing the region's entry later deletes
 * it from the stack only and leaves it in AWS.
 *
 * It also sets `protect: false` on them. That is safe because of `retainOnDelete`: the engine
 * never calls Delete on a retained resource, so `protect` has nothing left to guard against,
 * and dropping it spares the operator a `pulumi state unprotect` per resource before the entry
 * can be removed. AWS-side deletion protection (Aurora, the global cluster) stays on.
 */
export function retainStateful(args: pulumi.ResourceTransformationArgs): pulumi.ResourceTransformationResult | undefined {
    if (!(args.resource instanceof pulumi.CustomResource)) return undefined;
    if (!isStateful(args.type) && args.opts.protect !== true) return undefined;
    return { props: args.props, opts: { ...args.opts, protect: false, retainOnDelete: true } };
}

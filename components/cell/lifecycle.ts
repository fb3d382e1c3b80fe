import * as pulumi from "@pulumi/pulumi";
import { isStateful } from "../../regions/stateful";

/**
 * Transformation for a cell marked `decommission: true`: every resource of the cell that
 * holds data (a stateful type of regions/stateful.ts, or anything the components protect,
 * e.g. KMS keys and log buckets) gets `retainOnDelete: true`, so that removing the region's
 * entry later deletes it from the stack only and leaves it in AWS.
 *
 * `protect` stays as it is. Dropping it would be safe in itself (the engine never calls
 * Delete on a retained resource), but the policy pack's stateful-resources-protected rule
 * sees `protect` and not `retainOnDelete`, and a protected resource also guards against a
 * removal before step 1 has been applied. So the operator unprotects the listed URNs right
 * before removing the entry (`npm run plan -- --compare` prints the commands; docs/regions.md).
 */
export function retainStateful(args: pulumi.ResourceTransformationArgs): pulumi.ResourceTransformationResult | undefined {
    if (!(args.resource instanceof pulumi.CustomResource)) return undefined;
    if (!isStateful(args.type) && args.opts.protect !== true) return undefined;
    return { props: args.props, opts: { ...args.opts, retainOnDelete: true } };
}

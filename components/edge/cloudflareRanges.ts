/**
 * Cloudflare's published edge ranges (cloudflare.com/ips), read once per program through
 * the provider's data source: the ALBs admit only these. They change rarely; a change is
 * picked up by the next `pulumi up` and lands in the prefix lists without changing the
 * number of security group rules.
 */
import * as cloudflare from "@pulumi/cloudflare";
import type * as pulumi from "@pulumi/pulumi";
import { type CloudflareRanges } from "../compute/originIngress";

export function cloudflareRanges(): CloudflareRanges & { ipv4: pulumi.Output<string[]>; ipv6: pulumi.Output<string[]> } {
    const ranges = cloudflare.getIpRangesOutput({});
    return { ipv4: ranges.ipv4Cidrs, ipv6: ranges.ipv6Cidrs };
}

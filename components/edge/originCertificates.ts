import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

export interface OriginCertificatesArgs {
    /** The public hostname: Cloudflare sends it as Host and SNI to every origin. */
    readonly domain: string;
    /** Cloudflare zone that holds `domain` (the validation record goes there). */
    readonly zoneId: string;
    /** Every cell, by region and code; plain because one certificate exists per region. */
    readonly cells: readonly { readonly region: string; readonly code: string }[];
    /** The region whose certificate supplies the validation record. */
    readonly primaryRegion: string;
}

/**
 * The domain's ACM certificate in every cell's region, DNS-validated through Cloudflare.
 * ACM's validation CNAME for a domain is the same in every region of an account, so one
 * record (read from the primary region's certificate) validates them all.
 */
export class OriginCertificates extends pulumi.ComponentResource {
    /** Validated certificate ARN by region: listeners use these, so they wait for validation. */
    readonly arns: Readonly<Record<string, pulumi.Output<string>>>;

    constructor(name: string, args: OriginCertificatesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:edge:OriginCertificates", name, {}, opts);
        const child = { parent: this };
        if (!args.cells.some((c) => c.region === args.primaryRegion)) {
            throw new pulumi.ResourceError(
                `OriginCertificates "${name}": primary region ${args.primaryRegion} is not among the cells`,
                this,
            );
        }

        const certificates = args.cells.map((cell) => ({
            cell,
            // Named by cell code first, like every regional resource: adding a region adds only `<code>-…` names.
            certificate: new aws.acm.Certificate(
                `${cell.code}-${name}`,
                { region: cell.region, domainName: args.domain, validationMethod: "DNS", tags: { Name: args.domain } },
                child,
            ),
        }));
        const primary = certificates.find((c) => c.cell.region === args.primaryRegion)!.certificate;
        const option = primary.domainValidationOptions.apply((options) => {
            const found = options.find((o) => o.domainName === args.domain);
            if (!found) throw new Error(`ACM returned no validation option for ${args.domain}`);
            return found;
        });
        const record = new cloudflare.DnsRecord(
            `${name}-validation`,
            {
                zoneId: args.zoneId,
                name: option.resourceRecordName.apply(withoutDot),
                type: option.resourceRecordType,
                content: option.resourceRecordValue.apply(withoutDot),
                ttl: 60,
                // ACM must see the CNAME itself, not Cloudflare's proxy.
                proxied: false,
                comment: `ACM DNS validation of ${args.domain} (every region)`,
            },
            child,
        );

        const arns: Record<string, pulumi.Output<string>> = {};
        for (const { cell, certificate } of certificates) {
            const validation = new aws.acm.CertificateValidation(
                `${cell.code}-${name}-validation`,
                { region: cell.region, certificateArn: certificate.arn, validationRecordFqdns: [record.name] },
                child,
            );
            arns[cell.region] = validation.certificateArn;
        }
        this.arns = arns;
        this.registerOutputs({ arns });
    }
}

function withoutDot(name: string): string {
    return name.endsWith(".") ? name.slice(0, -1) : name;
}

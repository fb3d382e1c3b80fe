/**
 * The price snapshot the cost estimate uses: on-demand list prices in USD, as data, each with
 * the vendor page it is published on, where it was read and when, and whether it is a published
 * figure or an assumption (docs/cost.md).
 *
 * How the figures were read (2026-12-02 and 2026-12-03): no AWS or Cloudflare pricing page is reachable from
 * here, so each published figure was read from a stored public copy that quotes the vendor's
 * page or AWS's Price List (the `seenIn` of each). Where one was found, a copy of the offer's
 * own rate description ("$0.0225 per Application LoadBalancer-hour (or partial hour)") or of a
 * Price List API answer is preferred to a blog. A figure no stored source confirmed is
 * `basis: "assumption"`, with what it rests on. Only the figures the estimate uses are kept.
 *
 * Regions: us-east-1 is complete. eu-central-1 (15 figures) and ap-southeast-1 (15) carry the
 * figures a stored source gave for them (each figure's `read` says when: 2026-12-02 or
 * 2026-12-03); so do the catalog regions in no stack: m7i.xlarge for us-east-2, us-west-2,
 * ca-central-1, eu-west-1, eu-west-2, eu-north-1, ap-south-1, ap-southeast-2 and ap-northeast-1,
 * gp3 for af-south-1; sa-east-1 and me-central-1 have none. Where a region lacks a figure the
 * estimate uses the us-east-1 one, marks it `*` and names the region (us-east-1 is among the
 * cheapest regions, so such a cell is a lower bound). PRICE_DATE stays the snapshot's date
 * (that of the us-east-1 figures).
 *
 * Found on 2026-12-03: EC2 m7i.xlarge per region in a public catalog that embeds AWS's EC2
 * offer files (skypilot-org/skypilot-catalog, its us-east-1 row equal to the offer's 0.2016);
 * the EKS cluster-hour in real bills by usage type (`EUC1-AmazonEKS-Hours:perCluster` $0.10 in a
 * June 2026 postmortem, `APS1-AmazonEKS-Hours:perCluster` $0.10 in an August 2026 audit), and
 * ap-southeast-1's r6g.large.search ($0.202, Price List API, the same audit).
 *
 * Searched on 2026-12-02 and 2026-12-03 without a figure for Frankfurt: exact usage types
 * (EUC1-BoxUsage:m7i*, EUC1-InstanceUsage:db.r7g*, EUC1-NodeUsage:cache*, EUC1-ESInstance*,
 * EUC1-ES:GP3-Storage, EUC1-Aurora:StorageUsage, EUC1-RDS:ProxyUsage, EUC1-CW:AlarmMonitorUsage),
 * offer rate descriptions ("db.r7g.large … instance hour", "cache.r7g.large node hour",
 * "r6g.large.search instance hour", "per alarm metric month - EU (Frankfurt)"), the FinOps
 * Foundation's FOCUS 1.0 sample bill (its 1,000-row file; the larger ones are not stored), cost
 * tools that embed offer files (rshade/pulumicost-plugin-aws-public builds its data at release,
 * not in the repository; a price snapshot `aws-prices.v1.json.gz` committed by
 * johnbekele/infracanvas is binary and not stored; Netflix service-capacity-modeling is
 * us-east-1; vantage-sh/ec2instances.info commits no data), pricing pages (stored as script
 * shells without their tables) and blogs (the ones found price us-east-1). The npm registry's search endpoint
 * answers 404 here. So still at us-east-1 rates in eu-central-1: Aurora db.r7g.large and
 * storage, RDS Proxy (a Frankfurt bill gives $26.78 a month for a 2-vCPU proxy but not the hours
 * behind it), ElastiCache cache.r7g.large, OpenSearch r6g/m6g.large.search and gp3, CloudWatch
 * alarms; in ap-southeast-1 the same but its r6g.large.search and alarms, plus Aurora I/O and
 * public IPv4. Regional tables "derived via a multiplier" or with one rate for every region
 * were rejected.
 */

export const PRICE_DATE = "2026-12-02";
export const CURRENCY = "USD";

/**
 * Hours in a billing month: AWS's pricing pages and its Pricing Calculator price a month as
 * 730 hours (8,760 / 12); the seen sources use the same (e.g. "$0.045/hr … $32.85" a month).
 */
export const HOURS_PER_MONTH = 730;

export interface Price {
    readonly usd: number;
    /** What one `usd` buys: "hour", "GB", "GB-month", "million requests", "month". */
    readonly unit: string;
    /** The vendor page that publishes the figure. */
    readonly source: string;
    /** The stored public copy the figure was read from, with its own date; or what an assumption rests on. */
    readonly seenIn: string;
    readonly read: string;
    readonly basis: "published" | "assumption";
}

const READ = PRICE_DATE;
/** When the eu-central-1 figures and the later ap-southeast-1 ones were read. */
const READ_REGIONS = "2026-12-03";

const page = {
    ec2: "https://aws.amazon.com/ec2/pricing/on-demand/",
    ebs: "https://aws.amazon.com/ebs/pricing/",
    eks: "https://aws.amazon.com/eks/pricing/",
    vpc: "https://aws.amazon.com/vpc/pricing/",
    privatelink: "https://aws.amazon.com/privatelink/pricing/",
    elb: "https://aws.amazon.com/elasticloadbalancing/pricing/",
    aurora: "https://aws.amazon.com/rds/aurora/pricing/",
    rdsProxy: "https://aws.amazon.com/rds/proxy/pricing/",
    elasticache: "https://aws.amazon.com/elasticache/pricing/",
    opensearch: "https://aws.amazon.com/opensearch-service/pricing/",
    cloudwatch: "https://aws.amazon.com/cloudwatch/pricing/",
    transfer: "https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer",
    kms: "https://aws.amazon.com/kms/pricing/",
    secrets: "https://aws.amazon.com/secrets-manager/pricing/",
    cloudflarePlans: "https://www.cloudflare.com/plans/",
    cloudflareLb: "https://www.cloudflare.com/application-services/products/load-balancing/",
} as const;

function published(usd: number, unit: string, source: string, seenIn: string, read: string = READ): Price {
    return { usd, unit, source, seenIn, read, basis: "published" };
}

/** A figure read on READ_REGIONS. */
function publishedLater(usd: number, unit: string, source: string, seenIn: string): Price {
    return published(usd, unit, source, seenIn, READ_REGIONS);
}

function assumed(usd: number, unit: string, source: string, seenIn: string): Price {
    return { usd, unit, source, seenIn, read: READ, basis: "assumption" };
}

/** What the estimate prices in one region. Maps are keyed by instance type or class. */
export interface RegionPrices {
    readonly ec2InstanceHour: Readonly<Record<string, Price>>;
    readonly ebsGp3GbMonth: Price;
    readonly eksClusterHour: Price;
    readonly eksExtendedClusterHour: Price;
    readonly natGatewayHour: Price;
    readonly natGatewayGb: Price;
    readonly publicIpv4Hour: Price;
    readonly interfaceEndpointAzHour: Price;
    readonly albHour: Price;
    readonly albLcuHour: Price;
    readonly auroraInstanceHour: Readonly<Record<string, Price>>;
    readonly auroraStorageGbMonth: Price;
    readonly auroraIoMillion: Price;
    readonly rdsProxyVcpuHour: Price;
    readonly elasticacheNodeHour: Readonly<Record<string, Price>>;
    readonly openSearchInstanceHour: Readonly<Record<string, Price>>;
    readonly openSearchGp3GbMonth: Price;
    readonly logsIngestGb: Price;
    readonly logsStorageGbMonth: Price;
    readonly alarmMonth: Price;
    readonly interRegionGb: Price;
    readonly kmsKeyMonth: Price;
    readonly secretMonth: Price;
}

export type PriceKey = keyof RegionPrices;

const US_EAST_1: RegionPrices = {
    ec2InstanceHour: {
        "m7i.xlarge": published(
            0.2016,
            "hour",
            page.ec2,
            'a public rate-ingestion README built on AWS\'s Price List Bulk API: "Verified: m7i.xlarge us-east-1 = {0.2016, …}"; public price-list fixtures copying the offer\'s term: "$0.2016 per On Demand Linux m7i.xlarge Instance Hour", pricePerUnit USD "0.2016000000"',
        ),
    },
    ebsGp3GbMonth: published(
        0.08,
        "GB-month",
        page.ebs,
        'a public price-list test fixture quoting the AWS offer\'s rate description: "$0.08 per GB-month of General Purpose (gp3) provisioned storage - US East (N. Virginia)"',
    ),
    eksClusterHour: published(
        0.1,
        "hour",
        page.eks,
        'AWS Containers blog, "Amazon EKS extended support for Kubernetes versions pricing": standard support "$0.10 per cluster per hour"',
    ),
    eksExtendedClusterHour: published(
        0.6,
        "hour",
        page.eks,
        'the same AWS blog: "a total of $0.60 per cluster per hour" in extended support',
    ),
    natGatewayHour: published(
        0.045,
        "hour",
        page.vpc,
        'basavytix.com/blog/aws-nat-gateway-pricing and others: "$0.045/hr … us-east-1 rates"',
    ),
    natGatewayGb: published(0.045, "GB", page.vpc, 'the same: "$0.045/GB data processing" in us-east-1'),
    publicIpv4Hour: published(
        0.005,
        "hour",
        page.vpc,
        'cloudburn.io/blog/aws-nat-gateway-pricing (2026-02-24): "Public IPv4 address costs ($0.005/hour per IP)"',
    ),
    interfaceEndpointAzHour: published(
        0.01,
        "hour",
        page.privatelink,
        'knbrlo.com/notes/aws/nat-gateway-data-processing (2026-05-07): interface endpoints "about $0.01/hour per endpoint per AZ"',
    ),
    albHour: published(
        0.0225,
        "hour",
        page.elb,
        'public price-list fixtures quoting the AWS offer\'s rate description (AWSELB, usagetype LoadBalancerUsage): "$0.0225 per Application LoadBalancer-hour (or partial hour)"',
    ),
    albLcuHour: published(
        0.008,
        "LCU-hour",
        page.elb,
        'a public cost analysis quoting the Price List (ALB capacity units "$0.008 / LCU-hour")',
    ),
    auroraInstanceHour: {
        // Disputed ($0.26 vs $0.276): $0.26 is db.r6g.large's rate. Two public tables give
        // db.r7g.large $0.276 beside db.r6g.large $0.26: an Aurora I/O-Optimized analyzer's
        // us-east-1 Aurora Standard table (kept as the fallback of its Price List API query:
        // AmazonRDS, Single-AZ, OnDemand, usagetype InstanceUsage, "Aurora MySQL and
        // PostgreSQL share these rates"), and a Go cost tool's AuroraInstanceHour map.
        "db.r7g.large": published(
            0.276,
            "hour",
            page.aurora,
            'a public Aurora I/O-Optimized analyzer\'s us-east-1 Aurora Standard table (its Price List API fallback): "db.r6g.large": 0.260, "db.r7g.large": 0.276; the same 0.276 in a Go cost tool\'s AuroraInstanceHour',
        ),
    },
    auroraStorageGbMonth: published(
        0.1,
        "GB-month",
        page.aurora,
        'wring.co (2026-03-12) and jusdb.com: Aurora Standard storage "$0.10/GB/month"',
    ),
    auroraIoMillion: published(
        0.2,
        "million requests",
        page.aurora,
        'wring.co (2026-03-12) and jusdb.com: "$0.20 per million" I/O requests (Aurora Standard)',
    ),
    rdsProxyVcpuHour: published(
        0.015,
        "vCPU-hour",
        page.rdsProxy,
        'public managed-PostgreSQL cost comparisons citing aws.amazon.com/rds/proxy/pricing: "RDS Proxy $0.015/vCPU-hr (~$44/mo @4vCPU)"; not read from the offer file',
    ),
    elasticacheNodeHour: {
        "cache.r7g.large": published(
            0.1752,
            "hour",
            page.elasticache,
            "Netflix service-capacity-modeling's ElastiCache price fixture: Valkey, NodeUsage:cache.r7g.large (us-east-1, unprefixed), 0.1752; consistent with Valkey at 80 % of Redis OSS",
        ),
    },
    openSearchInstanceHour: {
        // Disputed ($0.187 vs $0.167): $0.187 (~$0.186) is r5.large.search's rate. A public
        // cost-audit note records the Price List API answer for AmazonES, productFamily "Amazon
        // OpenSearch Service Instance", operation ESDomain, usagetype ESInstance:r6g.large in
        // us-east-1: $0.167/hr; five other public OpenSearch price tables agree (one names us-east-1), with r5.large.search at 0.186-0.187.
        "r6g.large.search": published(
            0.167,
            "hour",
            page.opensearch,
            'a public cost-audit note: "validated: r6g.large.search = $0.167/hr in us-east-1 … usagetype=ESInstance:r6g.large" (AWS Price List API); the same in five other public OpenSearch price tables',
        ),
        "m6g.large.search": published(
            0.128,
            "hour",
            page.opensearch,
            'the same public OpenSearch price tables (one names us-east-1): "m6g.large.search": 0.128 (six agree)',
        ),
    },
    openSearchGp3GbMonth: published(
        0.122,
        "GB-month",
        page.opensearch,
        'a public OpenSearch analyzer\'s docs, "us-east-1 list prices from the AWS Price List API": "gp3 $0.122 per GB-month"; the same in a second pricing table ("EBS gp3, us-east-1")',
    ),
    logsIngestGb: published(
        0.5,
        "GB",
        page.cloudwatch,
        'a public price-list test fixture quoting the AWS offer\'s rate description: "$0.50 per GB custom log data ingested in Standard log class - US East (Northern Virginia)"',
    ),
    logsStorageGbMonth: published(
        0.03,
        "GB-month",
        page.cloudwatch,
        'a public cost audit citing the AWS Pricing API: SKU JRHJQ2UMPUB5K73A "$0.03 per GB-mo of log storage" us-east-1',
    ),
    alarmMonth: published(
        0.1,
        "month",
        page.cloudwatch,
        'an AWS blog on CloudWatch costs: "$0.10 per alarm metric for standard resolution alarms" (quoted for US East (Ohio)); public cost notes citing aws.amazon.com/cloudwatch/pricing: "Alarms: $0.10 per alarm per month"; not read from the offer file',
    ),
    interRegionGb: published(
        0.02,
        "GB",
        page.transfer,
        'kindatechnical.com lesson 31 (EKS pricing): "Data Transfer Between Regions: $0.02 per GB"',
    ),
    kmsKeyMonth: published(
        1,
        "month",
        page.kms,
        'public notes citing aws.amazon.com/kms/pricing: "$1.00/month per customer managed key, calculated on a pro-rated hourly basis"; not read from the offer file',
    ),
    secretMonth: published(
        0.4,
        "month",
        page.secrets,
        'public cost notes quoting the Secrets Manager pricing page: "$0.40 per secret per month" (plus $0.05 per 10,000 API calls); not read from the offer file',
    ),
};

const apse1Analysis = 'a public cost analysis\'s ap-southeast-1 table, "Pulled from the AWS Price List API in July 2026"';
const apse1Reference =
    'a public "Price Reference — ap-southeast-1, collected 2026-08-12" (every price "fetched from the AWS Pricing API", Location "Asia Pacific (Singapore)")';
const euc1Comparison =
    'a public Tencent Cloud vs AWS Frankfurt comparison, AWS side "AWS Price List API, eu-central-1", "Retrieved 2 Oct 2026"';
const euc1Focus = "the FinOps Foundation's FOCUS 1.0 sample (anonymized real AWS billing), an eu-central-1 line";
const euc1Shape =
    'a public "Provisioned shape at list price — Frankfurt, 2026-08-26" note (AWS Pricing API "filtered to regionCode=eu-central-1")';

/**
 * EC2 on-demand rates from a public catalog that embeds AWS's EC2 offer files: its scheduled
 * workflow regenerates the file from `pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/<region>/index.csv`
 * (TermType OnDemand, Linux, no pre-installed software, capacity Used, shared tenancy:
 * skypilot-org/skypilot sky/catalog/data_fetchers/fetch_aws.py). Its us-east-1 row, 0.2016,
 * is the offer's own us-east-1 rate above. The store gives no date for the version read.
 */
const skypilotCatalog =
    "skypilot-org/skypilot-catalog/catalogs/v7/aws/vms.csv at 001367d22a0033fac286a8c71aeac7109e431bcb (AWS EC2 offer files, OnDemand Linux shared)";
const m7iXlarge = (usd: number, region: string): Price =>
    publishedLater(usd, "hour", page.ec2, `${skypilotCatalog}: row \`m7i.xlarge,,,4.0,16.0,,${usd},…,${region},…\` (Price column)`);
/** A real bill for an eu-central-1 EKS cluster, by usage type (Cost Explorer). */
const euc1EksBill =
    'BinHsu/aegis-platform-aws/docs/postmortems/2026-06-06-eks-extended-support-cost-incident.md at c5443d3034f1a34d7d828b99369ee58b5c18b37f (a prod bill in eu-central-1, June 2026): "AWS billed `EUC1-AmazonEKS-Hours:extendedSupport` ($0.50/hr) stacked on `:perCluster` ($0.10/hr) = $0.60/hr"';
/** A cost scanner's live audit of an ap-southeast-1 account, rates checked against Cost Explorer and the Price List API. */
const apse1Audit =
    'amartinawi/cost-optimization-scanner/docs/audits/live/bnc_ap-southeast-1_20260812.md at 46c9026eadb9331dc0388e8a4b6f624521b0d51d (2026-08-12, "Live rate verification", ap-southeast-1)';

/** The figures seen for other catalog regions; the rest falls back to us-east-1 (reported). */
const OTHER_REGIONS: Readonly<Record<string, Partial<RegionPrices>>> = {
    "eu-central-1": {
        ec2InstanceHour: { "m7i.xlarge": m7iXlarge(0.2415, "eu-central-1") },
        eksClusterHour: publishedLater(0.1, "hour", page.eks, euc1EksBill),
        eksExtendedClusterHour: publishedLater(0.6, "hour", page.eks, euc1EksBill),
        ebsGp3GbMonth: publishedLater(
            0.0952,
            "GB-month",
            page.ebs,
            `${euc1Shape}: AmazonEC2 \`EUC1-EBS:VolumeUsage.gp3\` "$0.0952 / GB-mo"; ${euc1Focus}: "$0.0952 per GB-month of General Purpose (gp3) provisioned storage - EU (Frankfurt)"`,
        ),
        natGatewayHour: publishedLater(
            0.052,
            "hour",
            page.vpc,
            `${euc1Comparison}: "NAT: … AWS $0.052/h + $0.052/GB"; a public eu-central-1 tfvars comment: "($0.052 per NAT Gateway Hour)"`,
        ),
        natGatewayGb: publishedLater(0.052, "GB", page.vpc, `${euc1Comparison}: "NAT: … AWS $0.052/h + $0.052/GB"`),
        publicIpv4Hour: publishedLater(0.005, "hour", page.vpc, `${euc1Shape}: AmazonVPC \`EUC1-PublicIPv4:InUseAddress\` "$0.005 / h"`),
        interfaceEndpointAzHour: publishedLater(
            0.012,
            "hour",
            page.privatelink,
            'a public EKS cost campaign\'s task log (eu-central-1): the Price List API (AmazonVPC, productFamily VpcEndpoint) "prices `EUC1-VpcEndpoint-Hours` at $0.012/h", the rate it also read from its CUR',
        ),
        albHour: publishedLater(
            0.027,
            "hour",
            page.elb,
            `${euc1Comparison}: "AWS $0.027/h + $0.008/LCU-h"; ${euc1Focus}: "$0.027 per Application LoadBalancer-hour", ListUnitPrice 0.027`,
        ),
        albLcuHour: publishedLater(0.008, "LCU-hour", page.elb, `${euc1Comparison}: "AWS $0.027/h + $0.008/LCU-h"`),
        auroraIoMillion: publishedLater(
            0.22,
            "million requests",
            page.aurora,
            'a public Aurora cost checker\'s test of its live regional I/O rate: "($0.22/M Frankfurt)", "live EUC1-Aurora:StorageIOUsage" (Aurora Standard)',
        ),
        // Flow logs are vended logs; their first-10 TB rate equals the Standard ingestion rate here.
        logsIngestGb: publishedLater(
            0.63,
            "GB",
            page.cloudwatch,
            `${euc1Comparison}: "CloudWatch $0.63/GB ingested + $0.0324/GB-month"; ${euc1Focus}: "$0.63 per GB of vended logs ingested in Standard log class for the first 10TB - EU (Frankfurt)"`,
        ),
        logsStorageGbMonth: publishedLater(
            0.0324,
            "GB-month",
            page.cloudwatch,
            `${euc1Comparison}: "CloudWatch $0.63/GB ingested + $0.0324/GB-month"`,
        ),
        interRegionGb: publishedLater(
            0.02,
            "GB",
            page.transfer,
            `${euc1Focus}: "$0.02 per GB - EU (Germany) data transfer to US East (Northern Virginia)"`,
        ),
        kmsKeyMonth: publishedLater(1, "month", page.kms, `${euc1Focus}: "$1 per customer managed KMS key version in EU (Frankfurt)"`),
    },
    "ap-southeast-1": {
        ec2InstanceHour: { "m7i.xlarge": m7iXlarge(0.252, "ap-southeast-1") },
        eksClusterHour: publishedLater(
            0.1,
            "hour",
            page.eks,
            `${apse1Audit}: "EKS control plane | $0.10/cluster-hr | CE \`APS1-AmazonEKS-Hours:perCluster\` $223.20 / 2,232 hr | EXACT"`,
        ),
        eksExtendedClusterHour: publishedLater(
            0.6,
            "hour",
            page.eks,
            `${apse1Audit}: "EKS extended support | $0.50/cluster-hr | CE \`APS1-AmazonEKS-Hours:extendedSupport\` $261.00 / 522 hr", billed on top of the $0.10 \`:perCluster\``,
        ),
        openSearchInstanceHour: {
            "r6g.large.search": publishedLater(
                0.202,
                "hour",
                page.opensearch,
                `${apse1Audit}: "r6g.large.search | $0.202/hr | Pricing API $0.2020 | EXACT"`,
            ),
        },
        natGatewayHour: published(
            0.059,
            "hour",
            page.vpc,
            `${apse1Analysis}: APS1-NatGateway-Hours $0.059/hour; an AWS bill for Asia Pacific (Singapore) in a public repository bills "$0.059 per NAT Gateway Hour"`,
        ),
        natGatewayGb: published(
            0.059,
            "GB",
            page.vpc,
            `${apse1Analysis}: APS1-NatGateway-Bytes $0.059/GB; the same bill: "$0.059 per GB Data Processed by NAT Gateways"`,
        ),
        albHour: published(
            0.0252,
            "hour",
            page.elb,
            "a public Fargate cost note for ap-southeast-1: Application Load Balancer $0.0252 / hour",
        ),
        albLcuHour: published(0.008, "LCU-hour", page.elb, "the same note: ALB capacity units $0.008 / LCU-hour"),
        interfaceEndpointAzHour: published(
            0.013,
            "hour",
            page.privatelink,
            "the same note: interface VPC endpoint $0.013 / hour per AZ (APS1-VpcEndpoint-Hours)",
        ),
        logsIngestGb: published(0.7, "GB", page.cloudwatch, `${apse1Analysis}: APS1-DataProcessing-Bytes $0.70/GB`),
        alarmMonth: published(0.1, "month", page.cloudwatch, `${apse1Analysis}: APS1-CW:AlarmMonitorUsage $0.10/alarm-month`),
        ebsGp3GbMonth: publishedLater(
            0.096,
            "GB-month",
            page.ebs,
            `${apse1Reference}: EBS gp3 \`APS1-EBS:VolumeUsage.gp3\` 0.0960 USD/GB-month`,
        ),
        logsStorageGbMonth: publishedLater(
            0.03,
            "GB-month",
            page.cloudwatch,
            `${apse1Reference}: CloudWatch Logs storage \`APS1-TimedStorage-ByteHrs\` (CW) 0.0300 USD/GB-month`,
        ),
        kmsKeyMonth: publishedLater(
            1,
            "month",
            page.kms,
            `${apse1Reference}: KMS customer managed key \`ap-southeast-1-KMS-Keys\` 1.0000 USD/key-month`,
        ),
        secretMonth: publishedLater(
            0.4,
            "month",
            page.secrets,
            `${apse1Reference}: Secrets Manager secret \`APS1-AWSSecretsManager-Secret\` 0.4000 USD/secret-month`,
        ),
    },
    // The other catalog regions, in no stack yet: only the figures a source gave for them.
    "us-east-2": { ec2InstanceHour: { "m7i.xlarge": m7iXlarge(0.2016, "us-east-2") } },
    "us-west-2": { ec2InstanceHour: { "m7i.xlarge": m7iXlarge(0.2016, "us-west-2") } },
    "ca-central-1": { ec2InstanceHour: { "m7i.xlarge": m7iXlarge(0.2247, "ca-central-1") } },
    "eu-west-1": { ec2InstanceHour: { "m7i.xlarge": m7iXlarge(0.2247, "eu-west-1") } },
    "eu-west-2": { ec2InstanceHour: { "m7i.xlarge": m7iXlarge(0.2331, "eu-west-2") } },
    "eu-north-1": { ec2InstanceHour: { "m7i.xlarge": m7iXlarge(0.2142, "eu-north-1") } },
    "ap-south-1": { ec2InstanceHour: { "m7i.xlarge": m7iXlarge(0.2121, "ap-south-1") } },
    "ap-southeast-2": { ec2InstanceHour: { "m7i.xlarge": m7iXlarge(0.252, "ap-southeast-2") } },
    "ap-northeast-1": { ec2InstanceHour: { "m7i.xlarge": m7iXlarge(0.2604, "ap-northeast-1") } },
    "af-south-1": {
        ebsGp3GbMonth: publishedLater(
            0.1047,
            "GB-month",
            page.ebs,
            'amartinawi/cost-optimization-scanner/docs/audits/live/afs-prod_af-south-1_20260811.md at 46c9026eadb9331dc0388e8a4b6f624521b0d51d (2026-08-11, "Live Pricing API verification", af-south-1): "gp3 storage | — | $0.1047/GB-Mo"',
        ),
    },
};

export const AWS_PRICES: Readonly<Record<string, Partial<RegionPrices>>> = { "us-east-1": US_EAST_1, ...OTHER_REGIONS };

/** The region whose figures stand in for a region's missing one. */
export const REFERENCE_REGION = "us-east-1";

/** A figure for `region`, or the reference region's with `fallback: true`; undefined when neither has it. */
export function awsPrice(region: string, key: PriceKey, variant?: string): { price: Price; fallback: boolean } | undefined {
    const pick = (prices: Partial<RegionPrices> | undefined): Price | undefined => {
        const entry = prices?.[key] as Price | Readonly<Record<string, Price>> | undefined;
        if (entry === undefined) return undefined;
        if (variant === undefined) return "usd" in entry ? (entry as Price) : undefined;
        return (entry as Readonly<Record<string, Price>>)[variant];
    };
    const own = pick(AWS_PRICES[region]);
    if (own) return { price: own, fallback: false };
    const reference = pick(AWS_PRICES[REFERENCE_REGION]);
    return reference ? { price: reference, fallback: region !== REFERENCE_REGION } : undefined;
}

/** Cloudflare zone plans per month (the zone's owner pays; a tenant stack rides on it). */
export const CLOUDFLARE_PLAN_MONTH: Readonly<Record<"free" | "pro" | "business" | "enterprise", Price | undefined>> = {
    free: published(0, "month", page.cloudflarePlans, "Cloudflare's plans page: Free $0"),
    pro: published(20, "month", page.cloudflarePlans, 'cloudflare-docs Billing Policy ("two $20 charges" for two Pro zones)'),
    business: published(
        200,
        "month",
        page.cloudflarePlans,
        'betterlink-blog (2025-12-01) and tutorials.dodatech.com: "Business Plan $200/mo" (billed annually; monthly billing costs more)',
    ),
    // Enterprise is a contract: no list price to use.
    enterprise: undefined,
};

/**
 * Load Balancing add-on: a base that covers two origins, and each origin beyond two. The base
 * figure is seen; the per-origin figure is an assumption. Health checks from more regions or
 * at shorter intervals may cost more and are not priced (docs/cost.md).
 */
export const CLOUDFLARE_LB = {
    baseMonth: published(
        5,
        "month",
        page.cloudflareLb,
        'kyawswarthwin/cloudflare-workers-load-balancing README: dynamic load balancing "costs $5"',
    ),
    includedOrigins: 2,
    extraOriginMonth: assumed(
        5,
        "month",
        page.cloudflareLb,
        "$5 a month for each origin beyond the two included, as last known; no stored source confirmed it",
    ),
} as const;

/** vCPUs of the DB instance classes priced above (RDS Proxy bills by the target's vCPUs). */
export const DB_CLASS_VCPUS: Readonly<Record<string, number>> = {
    // db.r7g.large: 2 vCPUs, 16 GiB (Aurora DB instance classes, hardware specifications).
    "db.r7g.large": 2,
};

/**
 * RDS Proxy bills at least this many vCPUs per proxy (an assumption: the proxy pricing page's
 * minimum as last known).
 */
export const RDS_PROXY_MIN_VCPUS = 2;

/**
 * Realistic fake outputs for the mock runtime: ids, ARNs, endpoints and hostnames shaped
 * like the real ones, derived deterministically from the resource's type and name (never
 * from `inputs.name`, which is often absent), so that two plans of the same config are
 * identical and a plan can be diffed against another.
 *
 * An invoke this table does not know throws: a new data source must be given a fake
 * answer here on purpose, not silently get `{}`.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

export const ACCOUNT_ID = "123456789012";

type State = Record<string, unknown>;

interface Ctx {
    readonly type: string;
    readonly name: string;
    readonly inputs: State;
    readonly id: string;
    readonly region: string;
    /** Deterministic hex of `length` from the type and name (and a salt). */
    hex(length: number, salt?: string): string;
}

export function hexOf(text: string, length: number): string {
    let out = "";
    for (let i = 0; out.length < length; i++) out += createHash("sha256").update(`${i}:${text}`).digest("hex");
    return out.slice(0, length);
}

/** Id prefixes of EC2-style ids (`vpc-0a1b…`), by type token. */
const EC2_ID_PREFIX: Record<string, string> = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
    "aws:ec2/flowLog:FlowLog": "fl",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt",
    "aws:ec2/managedPrefixList:ManagedPrefixList": "pl",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
};

/** Extra outputs by type token: what the real provider computes and the program reads. */
const OUTPUTS: Record<string, (ctx: Ctx) => State> = {
    "aws:ec2/natGateway:NatGateway": (c) => ({ publicIp: ipOf(c) }),
    "aws:ec2/eip:Eip": (c) => ({ publicIp: ipOf(c) }),
    "aws:ec2/vpc:Vpc": (c) => ({ defaultSecurityGroupId: `sg-0${c.hex(16, "default-sg")}`, mainRouteTableId: `rtb-0${c.hex(16, "main")}` }),
    "aws:ec2/vpcEndpoint:VpcEndpoint": (c) => ({
        dnsEntries: [{ dnsName: `${c.id}.${c.region}.vpce.amazonaws.com`, hostedZoneId: "Z7HUB22UULQXV" }],
    }),
    "aws:cloudwatch/logGroup:LogGroup": (c) => ({
        name: physicalName(c),
        arn: `arn:aws:logs:${c.region}:${ACCOUNT_ID}:log-group:${physicalName(c)}`,
    }),
    "aws:iam/role:Role": (c) => ({ arn: `arn:aws:iam::${ACCOUNT_ID}:role/${physicalName(c)}`, uniqueId: `AROA${c.hex(17).toUpperCase()}` }),
    "aws:iam/policy:Policy": (c) => ({ arn: `arn:aws:iam::${ACCOUNT_ID}:policy/${physicalName(c)}` }),
    "aws:kms/key:Key": (c) => ({ keyId: c.id, arn: `arn:aws:kms:${c.region}:${ACCOUNT_ID}:key/${c.id}` }),
    // --- compute tier (EKS, ALB, ACM, S3 access logs) ---
    "aws:eks/cluster:Cluster": (c) => {
        const name = physicalName(c);
        const vpcConfig = (c.inputs.vpcConfig ?? {}) as State;
        return {
            name,
            arn: `arn:aws:eks:${c.region}:${ACCOUNT_ID}:cluster/${name}`,
            endpoint: `https://${c.hex(32).toUpperCase()}.gr7.${c.region}.eks.amazonaws.com`,
            certificateAuthority: {
                data: Buffer.from(`-----BEGIN CERTIFICATE-----\n${c.hex(64, "ca")}\n-----END CERTIFICATE-----\n`).toString("base64"),
            },
            identities: [{ oidcs: [{ issuer: `https://oidc.eks.${c.region}.amazonaws.com/id/${c.hex(32, "oidc").toUpperCase()}` }] }],
            vpcConfig: { ...vpcConfig, clusterSecurityGroupId: `sg-0${c.hex(16, "cluster-sg")}`, vpcId: `vpc-0${c.hex(16, "vpc")}` },
            platformVersion: "eks.5",
            status: "ACTIVE",
        };
    },
    "aws:eks/nodeGroup:NodeGroup": (c) => ({
        arn: `arn:aws:eks:${c.region}:${ACCOUNT_ID}:nodegroup/${c.name}/${c.hex(8)}`,
        status: "ACTIVE",
    }),
    "aws:ec2/launchTemplate:LaunchTemplate": () => ({ latestVersion: 1, defaultVersion: 1 }),
    "aws:lb/loadBalancer:LoadBalancer": (c) => {
        const suffix = `app/${c.name.slice(0, 24)}-${c.hex(7, "autoname")}/${c.hex(16, "lb")}`;
        return {
            arn: `arn:aws:elasticloadbalancing:${c.region}:${ACCOUNT_ID}:loadbalancer/${suffix}`,
            arnSuffix: suffix,
            dnsName: `${c.name.slice(0, 24)}-${parseInt(c.hex(8, "dns"), 16)}.${c.region}.elb.amazonaws.com`,
            zoneId: ALB_ZONE_IDS[c.region] ?? "Z00000000000000000000",
        };
    },
    "aws:lb/targetGroup:TargetGroup": (c) => {
        const suffix = `targetgroup/${c.name.slice(0, 24)}-${c.hex(7, "autoname")}/${c.hex(16, "tg")}`;
        return { arn: `arn:aws:elasticloadbalancing:${c.region}:${ACCOUNT_ID}:${suffix}`, arnSuffix: suffix };
    },
    "aws:lb/listener:Listener": (c) => ({
        arn: `arn:aws:elasticloadbalancing:${c.region}:${ACCOUNT_ID}:listener/app/${c.name}/${c.hex(16, "lb")}/${c.hex(16)}`,
    }),
    "aws:acm/certificate:Certificate": (c) => {
        const domain = String(c.inputs.domainName);
        // ACM's validation record depends on the domain and the account, not the region.
        const token = hexOf(`acm|${ACCOUNT_ID}|${domain}`, 32);
        return {
            arn: `arn:aws:acm:${c.region}:${ACCOUNT_ID}:certificate/${c.id}`,
            domainValidationOptions: [
                {
                    domainName: domain,
                    resourceRecordName: `_${token}.${domain}.`,
                    resourceRecordType: "CNAME",
                    resourceRecordValue: `_${hexOf(`acm-value|${token}`, 32)}.xlfgrmvvlj.acm-validations.aws.`,
                },
            ],
            status: "ISSUED",
        };
    },
    "aws:s3/bucket:Bucket": (c) => ({
        bucket: c.id,
        arn: `arn:aws:s3:::${c.id}`,
        bucketRegionalDomainName: `${c.id}.s3.${c.region}.amazonaws.com`,
    }),
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": (c) => ({
        associationArn: `arn:aws:eks:${c.region}:${ACCOUNT_ID}:podidentityassociation/${c.hex(8)}`,
        associationId: `a-${c.hex(17)}`,
    }),
    // --- end compute tier ---
    // --- data tier (Aurora global database, RDS Proxy, ElastiCache, Secrets Manager) ---
    "aws:rds/globalCluster:GlobalCluster": (c) => ({
        arn: `arn:aws:rds::${ACCOUNT_ID}:global-cluster:${c.inputs.globalClusterIdentifier}`,
        globalClusterResourceId: `cluster-${c.hex(26, "gcr").toUpperCase()}`,
        endpoint: `${c.inputs.globalClusterIdentifier}.global-${c.hex(10, "ge")}.global.rds.amazonaws.com`,
    }),
    "aws:rds/cluster:Cluster": (c) => ({
        clusterIdentifier: c.id,
        arn: `arn:aws:rds:${c.region}:${ACCOUNT_ID}:cluster:${c.id}`,
        clusterResourceId: `cluster-${c.hex(26, "cr").toUpperCase()}`,
        endpoint: `${c.id}.cluster-${c.hex(12, "ep")}.${c.region}.rds.amazonaws.com`,
        readerEndpoint: `${c.id}.cluster-ro-${c.hex(12, "ep")}.${c.region}.rds.amazonaws.com`,
    }),
    "aws:rds/clusterInstance:ClusterInstance": (c) => ({
        identifier: c.id,
        arn: `arn:aws:rds:${c.region}:${ACCOUNT_ID}:db:${c.id}`,
        endpoint: `${c.id}.${c.hex(12, "ep")}.${c.region}.rds.amazonaws.com`,
    }),
    "aws:rds/proxy:Proxy": (c) => ({
        name: physicalName(c),
        arn: `arn:aws:rds:${c.region}:${ACCOUNT_ID}:db-proxy:prx-${c.hex(17, "prx")}`,
        endpoint: `${physicalName(c)}.proxy-${c.hex(12, "ep")}.${c.region}.rds.amazonaws.com`,
    }),
    "aws:rds/subnetGroup:SubnetGroup": (c) => ({ name: physicalName(c) }),
    "aws:rds/parameterGroup:ParameterGroup": (c) => ({ name: physicalName(c) }),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": (c) => ({ name: physicalName(c) }),
    "aws:elasticache/subnetGroup:SubnetGroup": (c) => ({ name: physicalName(c) }),
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": () => ({ name: "default" }),
    "aws:rds/proxyEndpoint:ProxyEndpoint": (c) => ({
        endpoint: `${String(c.inputs.dbProxyEndpointName)}.endpoint.proxy-${c.hex(12, "ep")}.${c.region}.rds.amazonaws.com`,
    }),
    "aws:elasticache/replicationGroup:ReplicationGroup": (c) => ({
        configurationEndpointAddress: `clustercfg.${c.id}.${c.hex(6, "cfg")}.${shortRegion(c.region)}.cache.amazonaws.com`,
    }),
    "aws:secretsmanager/secret:Secret": (c) => ({
        arn: `arn:aws:secretsmanager:${c.region}:${ACCOUNT_ID}:secret:${physicalName(c)}-${c.hex(6, "suffix")}`,
    }),
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": (c) => ({
        outputs: {
            RotationLambdaARN: `arn:aws:lambda:${c.region}:${ACCOUNT_ID}:function:${String((c.inputs.parameters as State | undefined)?.functionName ?? c.name)}`,
        },
    }),
    "random:index/randomPassword:RandomPassword": (c) => ({ result: passwordOf(c), bcryptHash: `$2a$10$${c.hex(53, "bcrypt")}` }),
    // --- end data tier ---
    // --- Observability tier (OpenSearch log domain, alert topic, Grafana password) ---
    "aws:opensearch/domain:Domain": (c) => {
        const domainName = typeof c.inputs.domainName === "string" ? c.inputs.domainName : physicalName(c);
        const endpoint = `vpc-${domainName}-${c.hex(26, "endpoint")}.${c.region}.es.amazonaws.com`;
        return {
            domainName,
            domainId: `${ACCOUNT_ID}/${domainName}`,
            arn: `arn:aws:es:${c.region}:${ACCOUNT_ID}:domain/${domainName}`,
            endpoint,
            dashboardEndpoint: `${endpoint}/_dashboards`,
        };
    },
    // An air-gapped vault is a backup vault of another VaultType (LOGICALLY_AIR_GAPPED_BACKUP_VAULT in
    // DescribeBackupVault), with the standard vault's ARN form; the copy action targets that ARN.
    "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault": (c) => ({
        arn: `arn:aws:backup:${c.region}:${ACCOUNT_ID}:backup-vault:${physicalName(c)}`,
    }),
    "aws:sns/topic:Topic": (c) => ({ arn: `arn:aws:sns:${c.region}:${ACCOUNT_ID}:${physicalName(c)}` }),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (c) => ({ arn: `arn:aws:cloudwatch:${c.region}:${ACCOUNT_ID}:alarm:${physicalName(c)}` }),
    // aws:eks/podIdentityAssociation: the compute tier's entry serves the log shipper too.
    // random:index/randomPassword:RandomPassword: the data tier's entry serves the Grafana password too.
    // --- end observability tier ---
    // A function the program invokes: the real provider names it and returns what its handler answered.
    "aws:lambda/function:Function": (c) => ({
        name: physicalName(c),
        arn: `arn:aws:lambda:${c.region}:${ACCOUNT_ID}:function:${physicalName(c)}`,
    }),
    "aws:lambda/invocation:Invocation": () => ({ result: "{}" }),
};

/** Canonical hosted zones of ALBs, by region (for alias records). */
const ALB_ZONE_IDS: Record<string, string> = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "eu-central-1": "Z215JYRZR1TBD5",
    "ap-southeast-1": "Z1LMS91P8CMLE5",
};

/** How the provider names what it creates when the program gives no name (Pulumi autonaming). */
function physicalName(c: Ctx): string {
    const explicit = c.inputs.name;
    return typeof explicit === "string" ? explicit : `${c.name}-${c.hex(7, "autoname")}`;
}

/** A random-looking password of the requested length, from the alphabet the inputs allow (data tier). */
function passwordOf(c: Ctx): string {
    const length = typeof c.inputs.length === "number" ? c.inputs.length : 32;
    const specials =
        c.inputs.special === false ? "" : typeof c.inputs.overrideSpecial === "string" ? c.inputs.overrideSpecial : "!@#$%&*()-_=+[]{}<>:?";
    const alphabet = `abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789${specials}`;
    const bytes = c.hex(length * 2, "password");
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet[parseInt(bytes.slice(i * 2, i * 2 + 2), 16) % alphabet.length];
    return out;
}

/** ElastiCache's short region code in endpoints (`us-east-1` → `use1`). */
function shortRegion(region: string): string {
    const [geo, dir, n] = region.split("-");
    return `${geo}${dir.replace(/(north|south)(east|west)/, (_m, a: string, b: string) => a[0] + b[0]).replace(/^(north|south|east|west|central)$/, (m) => m[0])}${n}`;
}

function ipOf(c: Ctx): string {
    const h = c.hex(6, "ip");
    return `3.${parseInt(h.slice(0, 2), 16)}.${parseInt(h.slice(2, 4), 16)}.${parseInt(h.slice(4, 6), 16)}`;
}

function idFor(type: string, name: string, inputs: State, hex: (n: number, salt?: string) => string): string {
    const prefix = EC2_ID_PREFIX[type];
    if (prefix) return `${prefix}-0${hex(16)}`;
    if (type === "aws:kms/key:Key") {
        const h = hex(32);
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    }
    if (type.startsWith("cloudflare:")) return hex(32);
    // An SQS queue's id is its URL (aws_sqs_queue: "id - The URL for the created Amazon SQS queue").
    if (type === "aws:sqs/queue:Queue") {
        const queue = typeof inputs.name === "string" ? inputs.name : `${name}-${hex(7, "autoname")}`;
        const region = typeof inputs.region === "string" ? inputs.region : "us-east-1";
        return `https://sqs.${region}.amazonaws.com/${ACCOUNT_ID}/${queue}`;
    }
    if (type.startsWith("kubernetes:")) {
        const metadata = (inputs.metadata ?? {}) as State;
        const ns = typeof metadata.namespace === "string" ? `${metadata.namespace}/` : "";
        return `${ns}${typeof metadata.name === "string" ? metadata.name : name}`;
    }
    return typeof inputs.name === "string" ? inputs.name : `${name}-${hex(7, "autoname")}`;
}

function arnFor(type: string, region: string, id: string): string | undefined {
    const [pkg, mod] = type.split(":");
    if (pkg !== "aws") return undefined;
    const service = mod.split("/")[0];
    // A queue's ARN ends with its name; its id is its URL.
    if (type === "aws:sqs/queue:Queue") return `arn:aws:sqs:${region}:${ACCOUNT_ID}:${id.split("/").pop()}`;
    // An EventBridge rule's: the `events` service, `rule/<name>` (its id on the default bus).
    if (type === "aws:cloudwatch/eventRule:EventRule") return `arn:aws:events:${region}:${ACCOUNT_ID}:rule/${id}`;
    return `arn:aws:${service}:${region}:${ACCOUNT_ID}:${type.split(":")[2].toLowerCase()}/${id}`;
}

/** Fake answers to data sources, by invoke token. */
const INVOKES: Record<string, (inputs: State) => State> = {
    // Observability tier: the account id (OpenSearch's ClientId dimension, ARNs, KMS policies).
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
        id: ACCOUNT_ID,
        accountId: ACCOUNT_ID,
        arn: `arn:aws:iam::${ACCOUNT_ID}:user/plan`,
        userId: "AIDAPLANOFFLINE0000000",
    }),
    // The deployer: for an IAM user (the mock caller) the issuer is the caller itself.
    "aws:iam/getSessionContext:getSessionContext": (inputs) => ({
        arn: inputs.arn,
        issuerArn: inputs.arn,
        issuerId: "AIDAPLANOFFLINE0000000",
        issuerName: "plan",
        sessionName: "",
    }),
    "aws:index/getAvailabilityZones:getAvailabilityZones": (inputs) => availabilityZones(inputs),
    "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings": (inputs) => instanceTypeOfferings(inputs),
};

// Compute tier: the public SSM parameter of EKS's recommended AMI release (nodeGroups.ts). A
// fake release of the asked minor, shaped as AWS names them (`<minor>.<patch>-<yyyymmdd>`); any
// other parameter is unknown to the plan, as a missing parameter fails the real call.
INVOKES["aws:ssm/getParameter:getParameter"] = (inputs) => {
    const name = String(inputs.name);
    const minor =
        /^\/aws\/service\/eks\/optimized-ami\/(\d+\.\d+)\/amazon-linux-2023\/(x86_64|arm64)\/standard\/recommended\/release_version$/.exec(
            name,
        );
    if (!minor) throw mockError(`the plan's mocks know no SSM parameter ${name}; add it to plan/mocks.ts`);
    return {
        id: name,
        name,
        arn: `arn:aws:ssm:${String(inputs.region)}::parameter${name}`,
        type: "String",
        value: `${minor[1]}.0-20261101`,
        version: 1,
        insecureValue: "",
    };
};

/**
 * The AZ IDs of each catalog region as a new account sees them (AWS, "AWS Availability Zones",
 * https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html):
 * us-east-1 has six, us-west-2 and ap-northeast-1 four (Tokyo's apne1-az3 is not offered to new
 * accounts), ca-central-1 has az1, az2, az4.
 */
export const MOCK_ZONE_IDS: Readonly<Record<string, readonly string[]>> = {
    "us-east-1": ["use1-az1", "use1-az2", "use1-az3", "use1-az4", "use1-az5", "use1-az6"],
    "us-east-2": ["use2-az1", "use2-az2", "use2-az3"],
    "us-west-2": ["usw2-az1", "usw2-az2", "usw2-az3", "usw2-az4"],
    "ca-central-1": ["cac1-az1", "cac1-az2", "cac1-az4"],
    "sa-east-1": ["sae1-az1", "sae1-az2", "sae1-az3"],
    "eu-west-1": ["euw1-az1", "euw1-az2", "euw1-az3"],
    "eu-west-2": ["euw2-az1", "euw2-az2", "euw2-az3"],
    "eu-central-1": ["euc1-az1", "euc1-az2", "euc1-az3"],
    "eu-north-1": ["eun1-az1", "eun1-az2", "eun1-az3"],
    "ap-south-1": ["aps1-az1", "aps1-az2", "aps1-az3"],
    "ap-southeast-1": ["apse1-az1", "apse1-az2", "apse1-az3"],
    "ap-southeast-2": ["apse2-az1", "apse2-az2", "apse2-az3"],
    "ap-northeast-1": ["apne1-az1", "apne1-az2", "apne1-az4"],
    "me-central-1": ["mec1-az1", "mec1-az2", "mec1-az3"],
    "af-south-1": ["afs1-az1", "afs1-az2", "afs1-az3"],
};

/**
 * The mock account's name of each AZ ID: the region's letters, shifted by one (the region's first
 * ID is its `b` zone, its last the `a` zone). Real names differ per account (that is why the
 * catalog lists IDs); a fixed shift keeps the plan deterministic and shows that nothing reads a
 * letter off an ID.
 */
export function mockZoneName(region: string, zoneId: string): string | undefined {
    const ids = MOCK_ZONE_IDS[region] ?? [];
    const i = ids.indexOf(zoneId);
    return i < 0 ? undefined : `${region}${"abcdefgh"[(i + 1) % ids.length]}`;
}

/**
 * getAvailabilityZones filtered by `zone-id`, the only form the program calls. An ID the region
 * does not have throws: the real API would answer without it, and the plan must not pass where
 * `up` would fail (components/network/zoneNames.ts refuses a missing ID).
 */
function availabilityZones(inputs: State): State {
    const region = String(inputs.region);
    const filters = (inputs.filters ?? []) as { name: string; values: string[] }[];
    if (filters.length !== 1 || filters[0].name !== "zone-id")
        throw mockError(`getAvailabilityZones mock: expected one "zone-id" filter, got ${JSON.stringify(filters)}`);
    const unknown = filters[0].values.filter((id) => mockZoneName(region, id) === undefined);
    if (unknown.length)
        throw mockError(
            `getAvailabilityZones mock: ${region} has no AZ ${unknown.join(", ")} (it has ${(MOCK_ZONE_IDS[region] ?? []).join(", ") || "none"})`,
        );
    // The API's order (by name), not the request's: callers must map by zoneIds.
    const zones = filters[0].values.map((id) => ({ id, name: mockZoneName(region, id)! })).sort((a, b) => (a.name < b.name ? -1 : 1));
    return { id: region, region, filters, names: zones.map((z) => z.name), zoneIds: zones.map((z) => z.id), groupNames: [region] };
}

/**
 * getInstanceTypeOfferings by AZ ID, filtered by instance type and location, the only form the
 * program calls: the mock account offers every type asked for in every AZ its region has (the
 * real answer differs per AZ; that is why the program asks). An unknown AZ ID throws.
 */
function instanceTypeOfferings(inputs: State): State {
    const region = String(inputs.region);
    const filters = (inputs.filters ?? []) as { name: string; values: string[] }[];
    const values = (name: string) => filters.find((f) => f.name === name)?.values ?? [];
    if (inputs.locationType !== "availability-zone-id" || filters.length !== 2)
        throw mockError(
            `getInstanceTypeOfferings mock: expected locationType availability-zone-id with instance-type and location filters`,
        );
    const unknown = values("location").filter((id) => mockZoneName(region, id) === undefined);
    if (unknown.length) throw mockError(`getInstanceTypeOfferings mock: ${region} has no AZ ${unknown.join(", ")}`);
    const pairs = values("location").flatMap((location) => values("instance-type").map((type) => ({ type, location })));
    return {
        id: region,
        region,
        filters,
        locationType: inputs.locationType,
        instanceTypes: pairs.map((p) => p.type),
        locations: pairs.map((p) => p.location),
        locationTypes: pairs.map(() => "availability-zone-id"),
    };
}

/** An error the mock runtime shows: its text must be in `details` (../shared/OFFLINE.md). */
function mockError(message: string): Error {
    const error = new Error(message);
    (error as Error & { details: string }).details = message;
    return error;
}

/**
 * Registers a fake answer for an invoke token (used by the modules that call that invoke).
 * Returns the answer it replaces, so a test that simulates another account can put it back.
 */
export function registerInvoke(token: string, answer: (inputs: State) => State): ((inputs: State) => State) | undefined {
    const previous = INVOKES[token];
    INVOKES[token] = answer;
    return previous;
}

// --- compute tier: Cloudflare's published ranges (cloudflare.com/ips), as the data source returns them ---
/** Cloudflare's published ranges, as the offline plan's getIpRanges answers them. */
export const CLOUDFLARE_IP_RANGES = {
    ipv4: [
        "173.245.48.0/20",
        "103.21.244.0/22",
        "103.22.200.0/22",
        "103.31.4.0/22",
        "141.101.64.0/18",
        "108.162.192.0/18",
        "190.93.240.0/20",
        "188.114.96.0/20",
        "197.234.240.0/22",
        "198.41.128.0/17",
        "162.158.0.0/15",
        "104.16.0.0/13",
        "104.24.0.0/14",
        "172.64.0.0/13",
        "131.0.72.0/22",
    ],
    ipv6: ["2400:cb00::/32", "2606:4700::/32", "2803:f800::/32", "2405:b500::/32", "2405:8100::/32", "2a06:98c0::/29", "2c0f:f248::/32"],
};
registerInvoke("cloudflare:index/getIpRanges:getIpRanges", () => ({
    etag: "38f79d050aa027e3be3865e495dcc9bc",
    ipv4Cidrs: CLOUDFLARE_IP_RANGES.ipv4,
    ipv6Cidrs: CLOUDFLARE_IP_RANGES.ipv6,
    jdcloudCidrs: [],
}));
// --- end compute tier ---

/**
 * Outputs of other stacks by fully qualified name (`organization/platform/staging`), as their
 * own plans computed them: what a `pulumi.StackReference` reads (the zone owner reads its
 * tenants' zone rules, docs/edge.md). Set by the plan before it evaluates a stack.
 */
const STACK_OUTPUTS = new Map<string, { outputs: State; secretOutputNames: string[] }>();

export function registerStackOutputs(name: string, outputs: State, secretOutputNames: readonly string[] = []): void {
    STACK_OUTPUTS.set(name, { outputs, secretOutputNames: [...secretOutputNames] });
}

export class PlanMocks implements pulumi.runtime.Mocks {
    /**
     * @param preview as a first `pulumi preview`: a resource to be created gets no id and no
     * outputs beyond its own known inputs (the SDK then resolves every other output as unknown);
     * reads (a StackReference, an `id` given) and invokes still answer, as they do in a preview.
     */
    constructor(
        private readonly defaultRegion: string,
        private readonly preview = false,
    ) {}

    /** Outputs the engine would make secret (`additionalSecretOutputs`), by type and name. */
    private readonly secrets = new Map<string, readonly string[]>();

    /** Records a registration's `additionalSecretOutputs` before the mock monitor asks for its state. */
    secretOutputs(type: string, name: string, keys: readonly string[]): void {
        if (keys.length > 0) this.secrets.set(`${type}::${name}`, keys);
    }

    private withSecrets(type: string, name: string, state: State): State {
        const keys = this.secrets.get(`${type}::${name}`);
        if (!keys) return state;
        const out = { ...state };
        for (const key of keys)
            if (out[key] !== undefined) out[key] = { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: out[key] };
        return out;
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: State } {
        const inputs = args.inputs as State;
        if (!args.custom) return { id: undefined, state: {} };
        if (this.preview && !args.id && args.type !== "pulumi:pulumi:StackReference") return { id: undefined, state: { ...inputs } };
        if (args.type === "pulumi:pulumi:StackReference") {
            const name = String(inputs.name);
            const found = STACK_OUTPUTS.get(name);
            if (!found) {
                const error = new Error(
                    `the plan has no outputs of stack ${name} for a StackReference; plan that stack first (plan/plan.ts)`,
                );
                (error as Error & { details: string }).details = error.message;
                throw error;
            }
            return { id: name, state: { name, ...found } };
        }
        const hex = (length: number, salt = "") => hexOf(`${args.type}|${args.name}|${salt}`, length);
        const region = typeof inputs.region === "string" ? inputs.region : this.defaultRegion;
        // An imported resource keeps the id it was imported by (the engine reads it by that id),
        // less pulumi-aws 7's `@<region>` suffix, which only says where to read it (pulumi-aws#5523).
        const id = args.id ? args.id.replace(/@[a-z]{2}(-[a-z]+)+-\d+$/, "") : idFor(args.type, args.name, inputs, hex);
        const ctx: Ctx = { type: args.type, name: args.name, inputs, id, region, hex };
        const arn = arnFor(args.type, region, id);
        const extra = OUTPUTS[args.type]?.(ctx) ?? {};
        return { id, state: this.withSecrets(args.type, args.name, { ...inputs, ...(arn ? { arn } : {}), ...extra }) };
    }

    call(args: pulumi.runtime.MockCallArgs): State {
        const answer = INVOKES[args.token];
        if (!answer) {
            const error = new Error(`the plan's mocks have no answer for invoke ${args.token}; add one to plan/mocks.ts`);
            (error as Error & { details: string }).details = error.message;
            throw error;
        }
        return answer(args.inputs as State);
    }
}

/**
 * The clouds' own rules that the mock runtime does not enforce, as data: what the real API
 * rejects (a transition, a limit, a name), where that is written, and how to fix a violation.
 * The offline plan checks every rule (plan/rules/): the plan rules on every plan, the transition
 * rules on every `--compare` (before → after, `ignoreChanges` applied as the engine applies them).
 * A violation is reported like a mandatory policy finding and fails the plan (exit 1).
 *
 * Every figure carries its source and the date it was checked; re-check on a provider upgrade.
 */
import { AURORA_MAX_READERS, AURORA_MAX_SECONDARY_READERS, AURORA_MAX_SECONDARY_REGIONS } from "./awsLimits";
import { UNSUPPORTED_ZONE_IDS } from "./catalog";

/**
 * The kinds of defect the rules cover (issue 18): an update the API refuses, a limit, a name, a
 * placement the account decides (AZ names), a maintenance the API schedules itself, a value the
 * API stores in another form (a perpetual diff).
 */
export type RuleClass = "transition" | "limit" | "name" | "placement" | "maintenance" | "format";

export interface CloudRule {
    readonly id: string;
    readonly class: RuleClass;
    /** `plan`: checked on one plan; `transition`: checked on a before → after comparison. */
    readonly on: "plan" | "transition";
    /** What the API refuses, in one sentence. */
    readonly rule: string;
    /** How to make the program comply. */
    readonly fix: string;
    /** Where the rule is written: a document or the provider's source, with its address. */
    readonly source: string;
    /** When the source was read (YYYY-MM). */
    readonly checked: string;
}

/** Name rules: a physical name's pattern and maximum length, by type token and input. */
export interface NameRule {
    readonly id: string;
    readonly type: string;
    /** The input that holds the physical name. */
    readonly input: string;
    readonly maxLength: number;
    readonly pattern: RegExp;
    /** The pattern in words, for the message. */
    readonly allowed: string;
}

export const SECURITY_GROUP_MAX_RULES = 60;
export const ALB_MAX_RULES = 100;

export const NAME_RULES: readonly NameRule[] = [
    {
        id: "opensearch-domain-name",
        type: "aws:opensearch/domain:Domain",
        input: "domainName",
        maxLength: 28,
        pattern: /^[a-z][a-z0-9-]{2,}$/,
        allowed: "3 to 28 characters: a lowercase letter, then lowercase letters, digits and hyphens",
    },
    {
        id: "alb-name",
        type: "aws:lb/loadBalancer:LoadBalancer",
        input: "name",
        maxLength: 32,
        pattern: /^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
        allowed: "at most 32 letters, digits and hyphens, not beginning or ending with a hyphen nor beginning with internal-",
    },
    {
        id: "target-group-name",
        type: "aws:lb/targetGroup:TargetGroup",
        input: "name",
        maxLength: 32,
        pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
        allowed: "at most 32 letters, digits and hyphens, not beginning or ending with a hyphen",
    },
    {
        id: "replication-group-id",
        type: "aws:elasticache/replicationGroup:ReplicationGroup",
        input: "replicationGroupId",
        maxLength: 40,
        pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$|^[a-z]$/,
        allowed:
            "1 to 40 lowercase letters, digits and hyphens, beginning with a letter, no two hyphens in a row, not ending with a hyphen",
    },
    {
        id: "iam-role-name",
        type: "aws:iam/role:Role",
        input: "name",
        maxLength: 64,
        pattern: /^[\w+=,.@-]+$/,
        allowed: "1 to 64 letters, digits and + = , . @ _ -",
    },
    {
        id: "s3-bucket-name",
        type: "aws:s3/bucket:Bucket",
        input: "bucket",
        maxLength: 63,
        // At least 3 characters: the pattern's middle is at least one.
        pattern: /^[a-z0-9][a-z0-9.-]+[a-z0-9]$/,
        allowed: "3 to 63 lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit",
    },
];

const nameSources: Record<string, string> = {
    "opensearch-domain-name":
        "OpenSearch Service API Reference, DomainInfo.DomainName: length 3-28, pattern [a-z][a-z0-9\\-]+ (https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_DomainInfo.html)",
    "alb-name":
        "Elastic Load Balancing API Reference, CreateLoadBalancer Name (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html)",
    "target-group-name":
        "Elastic Load Balancing API Reference, CreateTargetGroup Name: unique per Region per account, at most 32 characters, alphanumeric or hyphens, not beginning or ending with a hyphen (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html)",
    "replication-group-id":
        "ElastiCache API Reference, CreateReplicationGroup ReplicationGroupId constraints (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html)",
    "iam-role-name":
        "IAM API Reference, CreateRole RoleName: length 1-64, pattern [\\w+=,.@-]+ (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html)",
    "s3-bucket-name":
        "Amazon S3 User Guide, General purpose bucket naming rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)",
};

export const CLOUD_RULES: readonly CloudRule[] = [
    {
        id: "eks-nodegroup-scaling-bounds",
        class: "transition",
        on: "transition",
        rule: "EKS UpdateNodegroupConfig rejects a scaling config whose desired size is below the new minimum or above the new maximum; with scalingConfig.desiredSize in ignoreChanges the engine sends the desired size it already has",
        fix: "declare desiredSize as max(new minimum, the group's live desired size) instead of ignoring it, or raise the live desired size (aws eks update-nodegroup-config --scaling-config desiredSize=<min>) before the up",
        source: 'EKS API Reference, NodegroupScalingConfig (https://docs.aws.amazon.com/eks/latest/APIReference/API_NodegroupScalingConfig.html); terraform-aws-modules/terraform-aws-eks#3306 ("Minimum capacity 4 can\'t be greater than desired size 3", https://github.com/terraform-aws-modules/terraform-aws-eks/issues/3306); compute review F3',
        checked: "2026-12",
    },
    {
        id: "k8s-immutable-target-group-arn",
        class: "transition",
        on: "transition",
        rule: "the AWS Load Balancer Controller's webhook rejects an update of a TargetGroupBinding that changes spec.targetGroupARN (an immutable field); it changes whenever its target group is replaced",
        fix: 'declare the binding with replaceOnChanges: ["spec.targetGroupARN"] and deleteBeforeReplace: true',
        source: 'kubernetes-sigs/aws-load-balancer-controller v2.17.1 webhooks/elbv2/targetgroupbinding_validator.go:173-199 (https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v2.17.1/webhooks/elbv2/targetgroupbinding_validator.go) ("TargetGroupBinding update may not change these immutable fields: spec.targetGroupARN"); target-group replace triggers: terraform-provider-aws internal/service/elbv2/target_group.go (ForceNew: name, port, protocol, protocol_version, target_type, vpc_id, ip_address_type); compute review F9',
        checked: "2026-12",
    },
    {
        id: "eks-version-one-minor",
        class: "transition",
        on: "transition",
        rule: "an EKS control plane is upgraded one Kubernetes minor version at a time and never downgraded",
        fix: "upgrade one minor per pulumi up (and the node groups to it) before the next",
        source: 'Amazon EKS, eksctl cluster upgrades: "Upgrades of more than one Kubernetes version are not supported" (https://docs.aws.amazon.com/eks/latest/eksctl/cluster-upgrade.html); EKS User Guide, Update existing cluster to new Kubernetes version (https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html)',
        checked: "2026-12",
    },
    {
        id: "aurora-global-member-upgraded-alone",
        class: "transition",
        on: "transition",
        rule: "a member of an Aurora global database takes a minor upgrade alone, the secondaries before the primary; a major upgrade is done on the global cluster, an engine is never downgraded, and an instance's version follows its cluster's: an engineVersion change the engine sends otherwise fails",
        fix: 'a major: change engineVersion on the GlobalCluster with engineVersion in the members\' ignoreChanges; a minor: pin the secondaries first, the primary last (docs/releases.md, "The Aurora engine"); an instance: list engineVersion in its ignoreChanges',
        source: 'Aurora User Guide, Upgrading an Amazon Aurora global database (major on the global cluster; minor: "upgrade all of the secondary clusters before you upgrade the primary cluster", https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-upgrade.html); terraform-provider-aws internal/service/rds/global_cluster.go globalClusterUpgradeMinorEngineVersion (ModifyDBCluster per member; InvalidParameterValue "upgrade global replicas first" when the primary goes before its secondaries); terraform-provider-aws docs, aws_rds_global_cluster "Upgrading Engine Versions" (lifecycle ignore_changes on the member clusters, https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/rds_global_cluster); terraform-aws-modules/terraform-aws-rds-aurora#425, #512',
        checked: "2026-12",
    },
    {
        id: "aurora-cluster-global-membership-in-place",
        class: "transition",
        on: "transition",
        rule: 'the provider refuses an update that adds an existing (standalone) cluster to a global database or moves it between two ("existing RDS Clusters cannot be added to an existing RDS Global Cluster"); only leaving one is an update. After detach-and-promote, a refresh records the old members as standalone',
        fix: "delete the standalone cluster and its instances (a snapshot first), unprotect and refresh so the stack forgets them, then pulumi up creates them as secondaries (docs/regions.md, detach and promote)",
        source: 'terraform-provider-aws internal/service/rds/cluster.go resourceClusterUpdate (https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/rds/cluster.go: o == "" → "existing RDS Clusters cannot be added to an existing RDS Global Cluster"; n != "" → "... cannot be migrated between existing RDS Global Clusters"), whose acceptance tests (internal/service/rds/cluster_test.go) expect that error when a standalone cluster is given a global cluster; data review F9',
        checked: "2026-12",
    },
    {
        id: "aurora-scale-in-moves-writer",
        class: "transition",
        on: "transition",
        rule: "deleting the writer instance of an Aurora cluster fails it over to a reader, and writes stop meanwhile; after any failover the writer may be any instance, the highest-numbered ones a lower reader count deletes included",
        fix: "declare the member's writer guard (components/data/writerGuard.ts): an invocation, replaced whenever the instances that stay change, that moves the writer to one of them before the engine deletes the rest",
        source: 'AWS Knowledge Center, "How do I delete an Aurora DB cluster?": "If you delete the writer instance, then Aurora automatically promotes the reader instance to a writer instance. This failover operation causes downtime." (https://repost.aws/knowledge-center/rds-error-delete-aurora-cluster); Aurora User Guide, Failing over an Aurora DB cluster (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-failover.html); data review F15',
        checked: "2026-12",
    },
    {
        id: "subnet-zone-by-id",
        class: "placement",
        on: "plan",
        rule: `an AZ name (us-east-1a) maps to a different physical zone in each account, and EKS refuses control-plane subnets in some zones (UnsupportedAvailabilityZoneException): a subnet is placed by availabilityZoneId, in none of ${Object.keys(UNSUPPORTED_ZONE_IDS).join(", ")}`,
        fix: "place subnets by the catalog's zone IDs (regions/catalog.ts zoneIds), never by AZ name",
        source: "AWS Regions and Availability Zones, AZ IDs (https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html); EKS User Guide, Subnet requirements for clusters (https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html), regions/catalog.ts UNSUPPORTED_ZONE_IDS; compute review F13",
        checked: "2026-12",
    },
    {
        id: "aurora-instance-windows-staggered",
        class: "maintenance",
        on: "plan",
        rule: "RDS applies a deferred instance change (a new instanceClass, OS maintenance) in the instance's maintenance window, which it picks at random from one 8-hour block per region when none is set; applyImmediately applies it during the update. Instances of one cluster need their own windows (UTC, at least 30 minutes), apart; the cluster's own maintenance window may not overlap its backup window",
        fix: "give each instance its own preferredMaintenanceWindow (components/data/databaseMember.ts instanceMaintenanceWindow), the cluster's windows apart (CLUSTER_WINDOWS), and leave applyImmediately unset",
        source: 'RDS API Reference, CreateDBInstance PreferredMaintenanceWindow ("a 30-minute window selected at random from an 8-hour block of time for each AWS Region"; format ddd:hh24:mi-ddd:hh24:mi, UTC, "Must be at least 30 minutes", https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html); CreateDBCluster PreferredBackupWindow ("Must not conflict with the preferred maintenance window", https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html); Aurora User Guide, Maintaining an Aurora DB cluster, deferred DB instance modifications (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_UpgradeDBInstance.Maintenance.html); data review F15',
        checked: "2026-12",
    },
    {
        id: "cloudflare-webhook-id-form",
        class: "format",
        on: "plan",
        rule: "Cloudflare returns a notification webhook's id as a hyphenated UUID (36 characters); declared in another form (32 hex), the stored mechanisms.webhooks set never matches the program's",
        fix: "declare the id exactly as the API lists it (config/edge.ts accepts only the hyphenated form)",
        source: 'Cloudflare API schemas, aaa_webhook-id (maxLength 36, example b115d5ec-15c6-41ee-8b76-92c449b5227b; https://github.com/cloudflare/api-schemas openapi.json); terraform-provider-cloudflare internal/services/notification_policy/migrations_test.go ("v4 has UUID normalization issues (stores without hyphens, API returns with hyphens)", https://github.com/cloudflare/terraform-provider-cloudflare); edge review F7',
        checked: "2026-12",
    },
    {
        id: "aurora-instances-per-cluster",
        class: "limit",
        on: "plan",
        rule: `an Aurora global database's primary cluster holds at most ${AURORA_MAX_READERS} − s read-only instances (s = secondary regions), a secondary cluster at most ${AURORA_MAX_SECONDARY_READERS} instances in total`,
        fix: "lower the readers per cell (capacity figures) or add a region",
        source: "Aurora User Guide, Configuration requirements of an Amazon Aurora global database (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.configuration.requirements.html), regions/awsLimits.ts; data review F10",
        checked: "2026-11",
    },
    {
        id: "aurora-secondaries-per-global",
        class: "limit",
        on: "plan",
        rule: `an Aurora global database has at most ${AURORA_MAX_SECONDARY_REGIONS} secondary clusters`,
        fix: "plan fewer regions in one global database",
        source: "Aurora User Guide, Configuration requirements of an Amazon Aurora global database (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.configuration.requirements.html)",
        checked: "2026-11",
    },
    {
        id: "security-group-rules",
        class: "limit",
        on: "plan",
        rule: `a security group has at most ${SECURITY_GROUP_MAX_RULES} inbound and ${SECURITY_GROUP_MAX_RULES} outbound rules per address family; a rule referencing a prefix list counts as the list's maximum entries, one referencing a security group as one rule of each family`,
        fix: "split the rules over more security groups, or shrink the prefix lists' maxEntries",
        source: 'Amazon VPC User Guide, Amazon VPC quotas: security groups (inbound or outbound rules per security group: 60) and prefix lists ("if you create a prefix list with 20 maximum entries and you reference that prefix list in a security group rule, this counts as 20 security group rules") (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html)',
        checked: "2026-12",
    },
    {
        id: "alb-rules",
        class: "limit",
        on: "plan",
        rule: `an Application Load Balancer has at most ${ALB_MAX_RULES} rules, default rules excluded`,
        fix: "fold rules (conditions take several values) or split the listeners over load balancers",
        source: "Elastic Load Balancing, Quotas for your Application Load Balancers: rules per Application Load Balancer (excluding default rules) 100 (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html)",
        checked: "2026-12",
    },
    ...NAME_RULES.map((n): CloudRule => ({
        id: n.id,
        class: "name",
        on: "plan",
        rule: `${n.type} ${n.input}: ${n.allowed}`,
        fix: `shorten or rename the resource's ${n.input} (autonamed resources take the logical name plus 8 characters)`,
        source: nameSources[n.id],
        checked: "2026-12",
    })),
];

export function cloudRule(id: string): CloudRule {
    const rule = CLOUD_RULES.find((r) => r.id === id);
    if (!rule) throw new Error(`no cloud rule ${id} in regions/cloudRules.ts`);
    return rule;
}

/**
 * Physical names the API keeps unique, by type token: the input that holds the name and where it
 * must be unique (`region`: per account and region; `account`: per account; `global`: every
 * account). Only explicit names are claims: an autonamed resource gets a random suffix. Sources:
 * each API's reference (e.g. OpenSearch CreateDomain, "unique within an account and Region";
 * CloudWatch PutMetricAlarm, "If you are updating an existing alarm…" (a put with an existing name
 * replaces it); IAM CreateRole, "unique within the account"; S3 bucket naming rules, "unique
 * within a partition"), read 2026-12.
 */
export interface PhysicalName {
    /** The input (a dotted path for a nested one) that holds the name. */
    readonly input: string;
    readonly scope: "region" | "account" | "global";
    /** Further names the resource claims through other inputs (what it deploys). */
    readonly more?: readonly { readonly input: string; readonly scope: "region" | "account" | "global" }[];
}

export const PHYSICAL_NAMES: Readonly<Record<string, PhysicalName>> = {
    "aws:opensearch/domain:Domain": { input: "domainName", scope: "region" },
    "aws:cloudwatch/metricAlarm:MetricAlarm": { input: "name", scope: "region" },
    "aws:cloudwatch/logGroup:LogGroup": { input: "name", scope: "region" },
    "aws:kms/alias:Alias": { input: "name", scope: "region" },
    "aws:eks/cluster:Cluster": { input: "name", scope: "region" },
    "aws:rds/globalCluster:GlobalCluster": { input: "globalClusterIdentifier", scope: "account" },
    "aws:rds/cluster:Cluster": { input: "clusterIdentifier", scope: "region" },
    "aws:rds/clusterInstance:ClusterInstance": { input: "identifier", scope: "region" },
    "aws:rds/proxy:Proxy": { input: "name", scope: "region" },
    "aws:elasticache/replicationGroup:ReplicationGroup": { input: "replicationGroupId", scope: "region" },
    "aws:lb/loadBalancer:LoadBalancer": { input: "name", scope: "region" },
    "aws:lb/targetGroup:TargetGroup": { input: "name", scope: "region" },
    "aws:iam/role:Role": { input: "name", scope: "account" },
    "aws:iam/policy:Policy": { input: "name", scope: "account" },
    "aws:secretsmanager/secret:Secret": { input: "name", scope: "region" },
    "aws:sns/topic:Topic": { input: "name", scope: "region" },
    "aws:lambda/function:Function": { input: "name", scope: "region" },
    "aws:s3/bucket:Bucket": { input: "bucket", scope: "global" },
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": { input: "alarmName", scope: "region" },
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": { input: "policyName", scope: "region" },
    "aws:cloudwatch/dashboard:Dashboard": { input: "dashboardName", scope: "account" },
    "aws:rds/subnetGroup:SubnetGroup": { input: "name", scope: "region" },
    "aws:rds/parameterGroup:ParameterGroup": { input: "name", scope: "region" },
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": { input: "name", scope: "region" },
    "aws:elasticache/subnetGroup:SubnetGroup": { input: "name", scope: "region" },
    "aws:elasticache/parameterGroup:ParameterGroup": { input: "name", scope: "region" },
    "aws:ec2/launchTemplate:LaunchTemplate": { input: "name", scope: "region" },
    // The stack's name, and the Lambda function AWS's rotation application deploys under the
    // `functionName` parameter (Lambda CreateFunction: a name unique per account and Region).
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": {
        input: "name",
        scope: "region",
        more: [{ input: "parameters.functionName", scope: "region" }],
    },
    "aws:iam/instanceProfile:InstanceProfile": { input: "name", scope: "account" },
    // Backup CreateBackupVault: "unique to the account used to create them and the AWS Region where
    // they are created" (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupVault.html).
    "aws:backup/vault:Vault": { input: "name", scope: "region" },
    // Backup CreateLogicallyAirGappedBackupVault: vaults "are identified by names that are unique to the account used to
    // create them and the Region where they are created" (the SDK reference's CreateLogicallyAirGappedBackupVaultResponse.BackupVaultName).
    "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault": { input: "name", scope: "region" },
    // SQS CreateQueue: "unique within the scope of your queues" (a queue's URL carries its Region:
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html).
    "aws:sqs/queue:Queue": { input: "name", scope: "region" },
    // ElastiCache users and user groups are Regional resources (arn:aws:elasticache:<region>:<account>:user:<id>,
    // CreateUser / CreateUserGroup in the ElastiCache API reference).
    "aws:elasticache/user:User": { input: "userId", scope: "region" },
    "aws:elasticache/userGroup:UserGroup": { input: "userGroupId", scope: "region" },
    // ARC Region switch: ListPlans "lists all Region switch plans in your AWS account" (one control
    // plane for the account: https://docs.aws.amazon.com/arc-region-switch/latest/api/API_ListPlans.html).
    "aws:arcregionswitch/plan:Plan": { input: "name", scope: "account" },
};

/**
 * Which resources hold data, and which of their inputs force a replacement (a new, empty
 * resource) when they change. Pure data, shared by the decommission transformation
 * (components/cell/lifecycle.ts), the compare tool (plan/compare.ts) and the lifecycle tests.
 *
 * Replace-triggering inputs: the `ForceNew` attributes of the bridged Terraform provider's
 * schema (terraform-provider-aws 6.x, which @pulumi/aws 7 wraps; "Forces new resource" in
 * its docs), limited to what this program sets or could set, plus `region`, which in
 * @pulumi/aws 7 moves a resource to another region, i.e. a new one. The two RDS lists were
 * checked against the provider's schema source (internal/service/rds/cluster.go and
 * global_cluster.go: the attributes marked ForceNew); the others are from its documentation.
 * Re-check on a provider upgrade. Inputs the program lists in `ignoreChanges` never trigger anything (the engine
 * keeps the old value), and the compare tool skips them.
 */
export const REPLACE_TRIGGERS: Readonly<Record<string, readonly string[]>> = {
    "aws:rds/globalCluster:GlobalCluster": [
        "region",
        "globalClusterIdentifier",
        "engine",
        "storageEncrypted",
        "databaseName",
        "sourceDbClusterIdentifier",
    ],
    "aws:rds/cluster:Cluster": [
        "region",
        "clusterIdentifier",
        "clusterIdentifierPrefix",
        "engine",
        "engineMode",
        "storageEncrypted",
        "kmsKeyId",
        "databaseName",
        "masterUsername",
        "dbSubnetGroupName",
        "dbSystemId",
        "availabilityZones",
        "snapshotIdentifier",
        "sourceRegion",
        "restoreToPointInTime",
        "s3Import",
    ],
    "aws:kms/key:Key": ["region", "keyUsage", "customerMasterKeySpec", "multiRegion", "xksKeyId", "customKeyStoreId"],
    "aws:opensearch/domain:Domain": ["region", "domainName", "encryptAtRest"],
    "aws:secretsmanager/secret:Secret": ["region", "name", "namePrefix"],
    "aws:elasticache/replicationGroup:ReplicationGroup": [
        "region",
        "replicationGroupId",
        "atRestEncryptionEnabled",
        "kmsKeyId",
        "subnetGroupName",
        "port",
        "globalReplicationGroupId",
        "preferredCacheClusterAzs",
    ],
    "aws:s3/bucket:Bucket": ["region", "bucket", "bucketPrefix", "objectLockEnabled"],
    // The locked vaults: name and key force a new vault (terraform-provider-aws
    // internal/service/backup/vault.go, both ForceNew), and a locked vault is never emptied.
    "aws:backup/vault:Vault": ["region", "name", "kmsKeyArn"],
    // The backups outside the account: name and both retention bounds are RequiresReplace
    // (internal/service/backup/logically_air_gapped_vault.go; the API has no update for them).
    "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault": ["region", "name", "minRetentionDays", "maxRetentionDays"],
};

/** Resource types that hold data: removing or replacing one loses it unless it is retained. */
export const STATEFUL_TYPES: readonly string[] = Object.keys(REPLACE_TRIGGERS);

export function isStateful(type: string): boolean {
    return STATEFUL_TYPES.includes(type);
}

/** The replace-triggering inputs among `changed`, minus those the resource ignores. */
export function replaceTriggers(type: string, changed: readonly string[], ignoreChanges: readonly string[] = []): string[] {
    const triggers = REPLACE_TRIGGERS[type] ?? [];
    return changed.filter((k) => triggers.includes(k) && !ignoreChanges.includes(k));
}

// The pack's one list of policies: unique names, each described by control (or platform) and
// severity, levels from the severity, every FSBP control of the brief, config schemas.
import * as assert from "node:assert/strict";
import { LEVEL_BY_SEVERITY } from "../../policy/common";
import { policies } from "../../policy/policies";

function policy(name: string) {
    const found = policies.find((candidate) => candidate.name === name);
    assert.ok(found, `no policy named ${name}`);
    return found;
}

describe("policy pack: metadata", () => {
    it("names every policy uniquely and describes each by control (or platform) and severity", () => {
        const names = policies.map((candidate) => candidate.name);
        assert.deepEqual(
            names.filter((name, index) => names.indexOf(name) !== index),
            [],
        );
        for (const candidate of policies)
            assert.match(candidate.description, /^\[((?:[A-Za-z0-9]+\.\d+, )+|platform, )(low|medium|high|critical)\] /, candidate.name);
    });

    it("tags each FSBP policy with its control, framework and documentation link", () => {
        const eks1 = policy("eks-1-endpoint-not-public");
        assert.equal(eks1.description, "[EKS.1, high] EKS cluster endpoints should not be publicly accessible.");
        assert.equal(eks1.severity, "high");
        assert.deepEqual(eks1.tags, ["aws-fsbp", "EKS.1"]);
        assert.equal(eks1.url, "https://docs.aws.amazon.com/securityhub/latest/userguide/eks-controls.html#eks-1");
        assert.equal(eks1.framework?.specification, "EKS.1");
        assert.deepEqual(policy("multi-region").tags, ["platform"]);
    });

    it("tags a policy with every control it covers, so filtering by any of them finds it (RDS.3, RDS.8, RDS.25)", () => {
        const byControl = (control: string) =>
            policies.filter((candidate) => candidate.tags?.includes(control)).map((candidate) => candidate.name);
        assert.deepEqual(byControl("RDS.3"), ["rds-3-27-storage-encrypted"]);
        assert.deepEqual(byControl("RDS.27"), ["rds-3-27-storage-encrypted"]);
        assert.deepEqual(byControl("RDS.8"), ["rds-7-8-deletion-protection"]);
        assert.deepEqual(byControl("RDS.25"), ["rds-24-25-custom-admin-username"]);
        // Launch templates have controls of their own beside the instances' EC2.8 and EC2.9.
        assert.deepEqual(byControl("EC2.170"), ["ec2-8-imdsv2"]);
        assert.deepEqual(byControl("EC2.25"), ["ec2-9-no-public-ip"]);
        const encryption = policy("rds-3-27-storage-encrypted");
        assert.deepEqual(encryption.tags, ["aws-fsbp", "RDS.27", "RDS.3"]);
        assert.match(encryption.description, /^\[RDS\.27, RDS\.3, medium\] /);
        // The engine's framework carries one specification: the policy's own control, with its page.
        assert.equal(encryption.framework?.specification, "RDS.27");
        assert.equal(encryption.url, "https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-27");
        // Severity is the highest of the covered controls: RDS.7 Medium, RDS.8 Low (rds-controls.html).
        assert.equal(policy("rds-7-8-deletion-protection").severity, "medium");
    });

    it("RDS.13 says plainly how Security Hub differs: per DB instance, no exemption for Aurora global database members", () => {
        const rds13 = policy("rds-13-auto-minor-upgrade");
        assert.match(
            rds13.description,
            /Security Hub evaluates RDS\.13 per DB instance and does not exempt Aurora global database members/,
        );
        assert.match(rds13.description, /reports their instances with autoMinorVersionUpgrade false as FAILED/);
    });

    it("sets each policy's level from its severity, except rds-7-8-deletion-protection (medium, but mandatory)", () => {
        const exceptions = policies.filter((candidate) => candidate.enforcementLevel !== LEVEL_BY_SEVERITY[candidate.severity!]);
        assert.deepEqual(
            exceptions.map((candidate) => `${candidate.name} ${candidate.severity} ${candidate.enforcementLevel}`),
            ["rds-7-8-deletion-protection medium mandatory"],
        );
        assert.equal(policy("rds-6-enhanced-monitoring").enforcementLevel, "advisory");
        assert.equal(policy("eks-1-endpoint-not-public").enforcementLevel, "mandatory");
    });

    it("covers exactly the FSBP controls of the brief", () => {
        const controls = policies.flatMap((candidate) => candidate.tags ?? []).filter((tag) => /\.\d+$/.test(tag));
        assert.deepEqual(controls.sort(), [
            "EC2.15",
            "EC2.170",
            "EC2.18",
            "EC2.19",
            "EC2.2",
            "EC2.25",
            "EC2.6",
            "EC2.8",
            "EC2.9",
            "EKS.1",
            "EKS.2",
            "EKS.3",
            "EKS.8",
            "ELB.1",
            "ELB.12",
            "ELB.17",
            "ELB.4",
            "ELB.5",
            "ELB.6",
            "ElastiCache.1",
            "ElastiCache.2",
            "ElastiCache.3",
            "ElastiCache.4",
            "ElastiCache.5",
            "ElastiCache.7",
            "IAM.1",
            "IAM.21",
            "KMS.4",
            "Opensearch.1",
            "Opensearch.11",
            "Opensearch.2",
            "Opensearch.3",
            "Opensearch.4",
            "Opensearch.5",
            "Opensearch.6",
            "Opensearch.7",
            "Opensearch.8",
            "RDS.11",
            "RDS.12",
            "RDS.13",
            "RDS.16",
            "RDS.2",
            "RDS.23",
            "RDS.24",
            "RDS.25",
            "RDS.27",
            "RDS.3",
            "RDS.37",
            "RDS.43",
            "RDS.6",
            "RDS.7",
            "RDS.8",
            "S3.5",
            "S3.8",
            "SecretsManager.1",
        ]);
    });

    it("declares a config schema with the defaults each configurable policy uses", () => {
        assert.deepEqual(policy("eks-2-supported-version").configSchema!.properties.oldestVersionSupported, {
            type: "string",
            default: "1.34",
            description: "Oldest Kubernetes minor version (major.minor) still in EKS standard support.",
        });
        assert.deepEqual(policy("ec2-18-authorized-ports").configSchema!.properties.authorizedTcpPorts, {
            type: "array",
            items: { type: "integer" },
            default: [80, 443],
            description: "TCP ports that may be open to 0.0.0.0/0 or ::/0.",
        });
        assert.deepEqual(policy("k8s-resources").configSchema!.properties.requireCpuLimit, {
            type: "boolean",
            default: false,
            description: "Also require limits.cpu. Off by default: CPU limits throttle (CFS) under bursts and hurt tail latency.",
        });
        assert.equal(policy("rds-2-not-public").configSchema, undefined);
    });
});

/**
 * Every version the compute tier pins, in one place, with the reason for each. Plain data:
 * the config validates `platform:compute.kubernetesVersion` against this table, and the
 * tests assert the releases and add-ons against it.
 *
 * Checked on 2026-11-27 (sources in comments). Upgrading Kubernetes is one config change
 * once the new minor's row exists here: control plane first, then these add-ons, then the
 * node groups (managed node groups follow the cluster version on their next update).
 */

export interface AddonVersions {
    readonly "vpc-cni": string;
    readonly "kube-proxy": string;
    readonly coredns: string;
    readonly "eks-pod-identity-agent": string;
    readonly "aws-ebs-csi-driver": string;
}

export interface KubernetesRelease {
    /** End of EKS standard support (ISO date); after it the cluster bills extended support. */
    readonly endOfStandardSupport: string;
    /** EKS managed add-on versions built for this minor. */
    readonly addons: AddonVersions;
}

/**
 * EKS minors the program is written against. 1.36 is the EKS default today, in standard
 * support until 2027-08-02; 1.35 until 2027-03-27; 1.34 ends on 2026-12-02 (in days), so
 * it is deliberately absent (EKS release calendar; endoflife.date/amazon-eks).
 * Add-on builds are the ones a 1.36 cluster resolved to in September 2026 (vpc-cni,
 * kube-proxy, coredns, pod identity agent) and the current EBS CSI build (v1.66.0).
 */
export const KUBERNETES_VERSIONS: Readonly<Record<string, KubernetesRelease>> = {
    "1.36": {
        endOfStandardSupport: "2027-08-02",
        addons: {
            "vpc-cni": "v1.22.4-eksbuild.3",
            "kube-proxy": "v1.36.0-eksbuild.21",
            coredns: "v1.14.3-eksbuild.16",
            "eks-pod-identity-agent": "v1.3.10-eksbuild.3",
            "aws-ebs-csi-driver": "v1.66.0-eksbuild.1",
        },
    },
    "1.35": {
        endOfStandardSupport: "2027-03-27",
        addons: {
            "vpc-cni": "v1.22.4-eksbuild.3",
            "kube-proxy": "v1.35.3-eksbuild.21",
            coredns: "v1.13.2-eksbuild.21",
            "eks-pod-identity-agent": "v1.3.10-eksbuild.3",
            "aws-ebs-csi-driver": "v1.66.0-eksbuild.1",
        },
    },
};

/** The default: the newest minor, with the longest standard support left. */
export const DEFAULT_KUBERNETES_VERSION = "1.36";

export interface ChartPin {
    readonly chart: string;
    readonly version: string;
    readonly repository: string;
}

/** Helm charts, pinned, each with its source and the day it was read. */
export const CHARTS = {
    // Karpenter 1.14.1 (chart and app; tag v1.14.1, 2026-08-20, aws/karpenter-provider-aws, read 2026-12-02):
    // its compatibility matrix (website/content/en/docs/upgrading/compatibility.md) wants >= 1.13 for
    // Kubernetes 1.36 and >= 1.9 for 1.35. An OCI chart: `repository` is the chart's address.
    karpenter: { chart: "karpenter", version: "1.14.1", repository: "oci://public.ecr.aws/karpenter/karpenter" },
    // The newest in the repository's gh-pages index.yaml (created 2026-06-11; read 2026-12-02 from a
    // snapshot of kubernetes-sigs/metrics-server); 3.14.0, pinned before, is not in it.
    metricsServer: { chart: "metrics-server", version: "3.13.1", repository: "https://kubernetes-sigs.github.io/metrics-server/" },
    // v3 line (app v3.5.0), the newest in aws/eks-charts' gh-pages index (created 2026-08-03; read
    // 2026-12-02); 1.17.1 was the last of the v2 line. A later upgrade must apply the chart's CRDs
    // first (Helm never upgrades CRDs): `kubectl apply -k "github.com/aws/eks-charts/stable/aws-load-balancer-controller/crds?ref=master"`.
    awsLoadBalancerController: { chart: "aws-load-balancer-controller", version: "3.5.0", repository: "https://aws.github.io/eks-charts" },
} as const satisfies Record<string, ChartPin>;

/**
 * The ALB's TLS policy: TLS 1.3 and 1.2 with forward-secret AEAD suites only ("Res"), on
 * Security Hub ELB.17's list (its TLS13-1-2-2021-06 sibling, with CBC suites, is not).
 * Cloudflare connects to origins with ECDHE AEAD suites, which it keeps.
 */
export const ALB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06";

/** Graviton families carry a `g` after the generation digit (m7g, c7gn, r8g, t4g). */
export function isGraviton(instanceType: string): boolean {
    return /^[a-z]+\d+g/.test(instanceType.split(".")[0]);
}

/** The pins of a Kubernetes minor; throws naming the fix when this program has none for it. */
export function kubernetesRelease(version: string): KubernetesRelease {
    const release = KUBERNETES_VERSIONS[version];
    if (!release) {
        throw new Error(
            `no add-on and chart pins for Kubernetes ${version}; pinned: ${Object.keys(KUBERNETES_VERSIONS).join(", ")} (add a row to KUBERNETES_VERSIONS in regions/versions.ts)`,
        );
    }
    return release;
}

import * as assert from "node:assert/strict";
import { checkProblems, parseRaw, prodRaw, stackProblems, withSections } from "../support/config";

/** The prod config with `platform:compute` replaced. */
const parseWith = (compute: unknown) => parseRaw(withSections(prodRaw(), { compute })).config;
/** The problems reported for `compute`, as "path: message". */
const problems = (compute: unknown) => stackProblems(withSections(prodRaw(), { compute }));

describe("platform:compute config", () => {
    it("defaults every key when the section is absent (the prod stack sets none; the production sizing, pinned)", () => {
        const { compute } = parseWith(undefined);
        assert.deepEqual(compute, {
            kubernetesVersion: "1.36",
            instanceTypes: ["m7i.xlarge", "m6i.xlarge"],
            systemNodesPerAz: 1,
            rootVolumeGiB: 50,
            podCpuMillicores: 500,
            podMemoryMiB: 512,
        });
    });

    it("accepts a full, valid section", () => {
        const { compute } = parseWith({
            kubernetesVersion: "1.35",
            deployRoleArn: "arn:aws:iam::123456789012:role/platform-deploy",
            adminRoleArn: "arn:aws:iam::123456789012:role/platform-admins",
            publicEndpoint: { cidrs: ["203.0.113.0/24"], reason: "first deploy", until: "2026-12-16" },
            instanceTypes: ["m7g.xlarge", "m6g.xlarge"],
            rootVolumeGiB: 80,
            podCpuMillicores: 1000,
            podMemoryMiB: 1024,
        });
        assert.equal(compute.kubernetesVersion, "1.35");
        assert.equal(compute.adminRoleArn, "arn:aws:iam::123456789012:role/platform-admins");
        assert.deepEqual(compute.publicEndpoint, { cidrs: ["203.0.113.0/24"], reason: "first deploy", until: "2026-12-16" });
        assert.deepEqual(compute.instanceTypes, ["m7g.xlarge", "m6g.xlarge"]);
        assert.equal(compute.podCpuMillicores, 1000);
    });

    checkProblems(problems, {
        "refuses a Kubernetes version without pinned add-ons": [
            [
                { kubernetesVersion: "1.34" },
                ['platform:compute.kubernetesVersion: "1.34" is not a version this program pins add-ons for; use one of "1.36", "1.35"'],
            ],
        ],
        "refuses an unquoted version (YAML reads 1.30 as 1.3)": [
            [
                { kubernetesVersion: 1.36 },
                ['platform:compute.kubernetesVersion: 1.36 is a number; quote it in YAML: use one of "1.36", "1.35"'],
            ],
        ],
        "refuses an admin that is not an IAM role ARN": [
            [
                { adminRoleArn: "arn:aws:iam::123456789012:user/alice", deployRoleArn: "arn:aws:iam::123456789012:role/platform-deploy" },
                [
                    'platform:compute.adminRoleArn: "arn:aws:iam::123456789012:user/alice" is not an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admins',
                ],
            ],
        ],
        "never opens the API endpoint to the whole internet": [
            [
                { publicEndpoint: { cidrs: ["198.51.100.0/24", "0.0.0.0/0"], reason: "first deploy", until: "2026-12-16" } },
                [
                    'platform:compute.publicEndpoint.cidrs[1]: "0.0.0.0/0" opens the Kubernetes API to the whole internet; list your operators\' CIDRs, or leave the list empty for a private endpoint only',
                ],
            ],
        ],
        "refuses an exception without CIDRs, reason or a real date": [
            [
                { publicEndpoint: { cidrs: ["10.0.0.0/33"], reason: "first deploy", until: "2026-12-16" } },
                ['platform:compute.publicEndpoint.cidrs[0]: "10.0.0.0/33" has a prefix length above 32'],
            ],
            [
                { publicEndpoint: { cidrs: [], reason: "first deploy", until: "2026-12-16" } },
                [
                    "platform:compute.publicEndpoint.cidrs: [] has no entries; expected a list of IPv4 CIDRs such as [203.0.113.10/32], none of them /0",
                ],
            ],
            [
                { publicEndpoint: { cidrs: ["203.0.113.0/24"], reason: "first deploy, then close", until: "2026-02-30" } },
                [
                    'platform:compute.publicEndpoint.reason: "first deploy, then close" is not 3 to 256 letters, digits, spaces or + - = . _ : / @ (an EKS tag value)',
                    'platform:compute.publicEndpoint.until: "2026-02-30" is not a calendar date',
                ],
            ],
            [
                { publicEndpoint: { cidrs: ["203.0.113.0/24"] } },
                [
                    "platform:compute.publicEndpoint.reason: is missing; expected 3 to 256 letters, digits, spaces or + - = . _ : / @ (an EKS tag value)",
                    'platform:compute.publicEndpoint.until: is missing; expected a date as "YYYY-MM-DD" (quoted)',
                ],
            ],
        ],
        "needs the deploy role when an admin role is given (else the two entries may be one principal)": [
            [
                { adminRoleArn: "arn:aws:iam::123456789012:role/platform-admins" },
                [
                    'platform:compute.deployRoleArn: adminRoleArn "arn:aws:iam::123456789012:role/platform-admins" needs deployRoleArn too (the role that runs `pulumi up`; it may be the same role, then one access entry is declared)',
                ],
            ],
        ],
        "wants at least two distinct instance types of one architecture": [
            [
                { instanceTypes: ["m7i.xlarge"] },
                [
                    'platform:compute.instanceTypes: ["m7i.xlarge"] has 1 entry; expected at least 2 distinct EC2 instance types of one architecture and size, e.g. [m7i.xlarge, m6i.xlarge]',
                ],
            ],
            [
                { instanceTypes: ["m7i.xlarge", "m7i.xlarge"] },
                ['platform:compute.instanceTypes: ["m7i.xlarge","m7i.xlarge"] lists m7i.xlarge twice; list distinct types'],
            ],
            [
                { instanceTypes: ["m7i.xlarge", "m7g.xlarge"] },
                [
                    'platform:compute.instanceTypes: ["m7i.xlarge","m7g.xlarge"] mixes Graviton (m7g.xlarge) and x86 types; a node group runs one architecture: list types of one kind',
                ],
            ],
            [
                { instanceTypes: ["m7i.xlarge", "XL"] },
                ['platform:compute.instanceTypes[1]: "XL" is not an EC2 instance type such as m7i.xlarge'],
            ],
        ],
    });

    it("wants types of one vCPU and memory size (Cluster Autoscaler sizes a group from one type)", () => {
        assert.deepEqual(problems({ instanceTypes: ["m7i.xlarge", "m7i.2xlarge"] }), [
            'platform:compute.instanceTypes: ["m7i.xlarge","m7i.2xlarge"] differ in size (m7i.xlarge 4 vCPU/16 GiB, m7i.2xlarge 8 vCPU/32 GiB); the capacity model sizes nodes from one type and Karpenter may launch any: list types of one vCPU and memory size',
        ]);
        assert.deepEqual(problems({ instanceTypes: ["m7i.xlarge", "c7i.xlarge"] }).length, 1);
        assert.deepEqual(problems({ instanceTypes: ["m7i.xlarge", "m6i.xlarge"] }), []);
    });

    checkProblems(problems, {
        "wants types the capacity model can pack pods into, each named where it stands": [
            [
                { instanceTypes: ["m7i.xlarge", "m5zn.xlarge"] },
                [
                    'platform:compute.instanceTypes[1]: "m5zn.xlarge" is not known to the capacity model; use one of m7i.xlarge, m6i.xlarge, m7i.2xlarge, c7i.xlarge, m7g.xlarge, m6g.xlarge (or add a row to INSTANCE_TYPES in regions/capacity/nodes.ts)',
                ],
            ],
            [
                { instanceTypes: ["m7i.xlarge", "m6i.xlarg"] },
                [
                    'platform:compute.instanceTypes[1]: "m6i.xlarg" is not known to the capacity model; did you mean "m6i.xlarge"? use one of m7i.xlarge, m6i.xlarge, m7i.2xlarge, c7i.xlarge, m7g.xlarge, m6g.xlarge (or add a row to INSTANCE_TYPES in regions/capacity/nodes.ts)',
                ],
            ],
        ],
        "bounds the pod and volume sizes": [
            [{ podCpuMillicores: 10 }, ["platform:compute.podCpuMillicores: 10 is out of range; expected an integer from 50 to 16000"]],
            [{ podMemoryMiB: "512Mi" }, ['platform:compute.podMemoryMiB: "512Mi" is not a number; expected an integer from 64 to 65536']],
            [{ rootVolumeGiB: 10 }, ["platform:compute.rootVolumeGiB: 10 is out of range; expected an integer from 20 to 1000"]],
        ],
        "names unknown keys, with the value given, and a section that is not a map": [
            [
                { k8sVersion: "1.36" },
                [
                    'platform:compute.k8sVersion: is not a known setting (given "1.36"); known settings here: kubernetesVersion, deployRoleArn, adminRoleArn, publicEndpoint, instanceTypes, systemNodesPerAz, rootVolumeGiB, podCpuMillicores, podMemoryMiB',
                ],
            ],
            ["big", ['platform:compute: "big" is not a map; expected a map of settings, or nothing (every key has a default)']],
        ],
    });

    describe("no knock-on errors", () => {
        it("checks that a pod fits a node only once the types and requests are valid", () => {
            const tooBig = { podCpuMillicores: 16000, podMemoryMiB: 65536 };
            assert.equal(problems(tooBig).length, 1);
            assert.deepEqual(problems({ ...tooBig, instanceTypes: ["m7i.xlarge", "m5zn.xlarge"] }), [
                'platform:compute.instanceTypes[1]: "m5zn.xlarge" is not known to the capacity model; use one of m7i.xlarge, m6i.xlarge, m7i.2xlarge, c7i.xlarge, m7g.xlarge, m6g.xlarge (or add a row to INSTANCE_TYPES in regions/capacity/nodes.ts)',
            ]);
        });

        checkProblems(problems, {
            "does not check a pod against the default types when the types key is misspelt": [
                [
                    { podCpuMillicores: 8000, instanceTyps: ["m7i.2xlarge", "m7i.2xlarge"] },
                    [
                        "platform:compute.instanceTyps: is not a known setting (given a list of 2); did you mean `instanceTypes`? known settings here: kubernetesVersion, deployRoleArn, adminRoleArn, publicEndpoint, instanceTypes, systemNodesPerAz, rootVolumeGiB, podCpuMillicores, podMemoryMiB",
                    ],
                ],
            ],
            "compares the sizes of known types only once every type is known": [
                [
                    { instanceTypes: ["m7i.2xlarge", "XL"] },
                    ['platform:compute.instanceTypes[1]: "XL" is not an EC2 instance type such as m7i.xlarge'],
                ],
            ],
        });
    });
});

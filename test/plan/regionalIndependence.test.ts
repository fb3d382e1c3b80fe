// Regional independence: no cell depends on another region at run time. For every cell of the
// prod plan, no input of its AWS resources and no Kubernetes object names another region (an
// endpoint such as `…dkr.ecr.us-east-1.amazonaws.com`, an ARN `arn:aws:…:us-east-1:…`, a bare
// region name), except what the design replicates across regions on purpose, listed below.
import * as assert from "node:assert/strict";
import { type PlanRun, cellCodes } from "../../plan/plan";
import { catalogRegions } from "../../regions/catalog";
import { planOf, prodStack } from "../support/harness";

/** Every string inside `value`, with its path. */
function strings(value: unknown, at = ""): [string, string][] {
    if (typeof value === "string") return [[at, value]];
    if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
    if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => strings(v, at ? `${at}.${k}` : k));
    return [];
}

/**
 * What the design sends to another region on purpose, and why a cell does not depend on it at run
 * time: `type` and the input path that may name another region.
 */
const ACROSS_REGIONS: readonly { type: string; name?: RegExp; path: RegExp; why: string }[] = [
    {
        type: "aws:backup/plan:Plan",
        path: /^rules\[\d+\]\.copyActions\[\d+\]\.destinationVaultArn$/,
        why: "the disaster-recovery copy of the primary's backups into the next cell's locked vault (issue 15): AWS Backup copies after each backup job, and a failed copy leaves the cell serving",
    },
    {
        type: "aws:iam/rolePolicy:RolePolicy",
        name: /-data-backup-role-keys$/,
        path: /^policy$/,
        why: "the same copy: the backup role may use the destination region's data keys through AWS Backup there (the copy is encrypted with the destination vault's key); IAM is global and nothing serving calls it",
    },
];

type Checked = Pick<PlanRun["plan"]["resources"][number], "urn" | "type" | "name" | "custom" | "inputs">;

/** "cell type::name path names region: text" for every string of a cell's resource that names another catalog region. */
function foreignRegions(
    resources: readonly Checked[],
    cellOf: (urn: string) => string | null | undefined,
    regionOf: Record<string, string>,
): string[] {
    const names = catalogRegions().map((r) => r.name);
    return resources.flatMap((r) => {
        const code = cellOf(r.urn);
        if (!code || !r.custom || !(r.type.startsWith("aws:") || r.type.startsWith("kubernetes:"))) return [];
        return strings(r.inputs).flatMap(([at, text]) =>
            ACROSS_REGIONS.some((a) => a.type === r.type && (a.name === undefined || a.name.test(r.name)) && a.path.test(at))
                ? []
                : names
                      .filter((n) => n !== regionOf[code] && text.includes(n))
                      .map((other) => `${code} ${r.type}::${r.name} ${at} names ${other}: ${text.slice(0, 120)}`),
        );
    });
}

describe("regional independence", () => {
    it("the check finds a cell's object that names another region (the image the cells used to pull)", () => {
        const deployment: Checked = {
            urn: "u",
            type: "kubernetes:apps/v1:Deployment",
            name: "euc1-api-deployment",
            custom: true,
            inputs: {
                spec: { template: { spec: { containers: [{ image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:0" }] } } },
            },
        };
        assert.deepEqual(
            foreignRegions([deployment], () => "euc1", { euc1: "eu-central-1" }),
            [
                "euc1 kubernetes:apps/v1:Deployment::euc1-api-deployment spec.template.spec.containers[0].image names us-east-1: 123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:0",
            ],
        );
    });

    let run: PlanRun;
    before(async () => {
        run = await planOf(prodStack());
    });

    it("no AWS input or Kubernetes object of a cell names another region", () => {
        const regionOf: Record<string, string> = { use1: "us-east-1", euc1: "eu-central-1", apse1: "ap-southeast-1" };
        const cells = cellCodes(run.plan.resources);
        assert.deepEqual(
            foreignRegions(run.plan.resources, (urn) => cells.get(urn), regionOf),
            [],
        );
        const checked = new Map<string, number>();
        for (const r of run.plan.resources.filter((r) => r.custom && /^(aws|kubernetes):/.test(r.type))) {
            const code = cells.get(r.urn);
            if (code) checked.set(code, (checked.get(code) ?? 0) + 1);
        }
        assert.deepEqual([...checked.keys()].sort(), ["apse1", "euc1", "use1"]);
    });

    it("each cell's API pulls its own region's replica of the one image, by the same digest", () => {
        const images = run.plan.resources
            .filter((r) => r.type === "kubernetes:apps/v1:Deployment" && r.name.endsWith("-api-deployment"))
            .map((r) => [r.name, (r.inputs.spec as any).template.spec.containers[0].image as string]);
        const digest = "sha256:4f1c8e0b7a9d2c3e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7a8b9c0";
        assert.deepEqual(images.sort(), [
            ["apse1-api-deployment", `123456789012.dkr.ecr.ap-southeast-1.amazonaws.com/api@${digest}`],
            ["euc1-api-deployment", `123456789012.dkr.ecr.eu-central-1.amazonaws.com/api@${digest}`],
            ["use1-api-deployment", `123456789012.dkr.ecr.us-east-1.amazonaws.com/api@${digest}`],
        ]);
    });

    it("declares the registry's replication from the image's region to every other cell's", () => {
        const replication = run.plan.resources.filter((r) => r.type === "aws:ecr/replicationConfiguration:ReplicationConfiguration");
        assert.equal(replication.length, 1);
        assert.equal(replication[0].inputs.region, "us-east-1");
        assert.deepEqual(replication[0].inputs.replicationConfiguration, {
            rules: [
                {
                    destinations: [
                        { region: "ap-southeast-1", registryId: "123456789012" },
                        { region: "eu-central-1", registryId: "123456789012" },
                    ],
                    repositoryFilters: [{ filter: "api", filterType: "PREFIX_MATCH" }],
                },
            ],
        });
    });
});

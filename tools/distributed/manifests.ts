/**
 * The Kubernetes objects of a distributed run, per generator region: a ConfigMap holding the
 * bundled worker and the region's spec, and an Indexed Job of one pod per worker that runs them
 * from a public Node image given by digest (no image to build). Plain objects typed by @kubernetes/client-node's
 * V1ConfigMap and V1Job (generated from Kubernetes' OpenAPI, so `tsc` checks every field name; types
 * only: the tools never reach a Pulumi SDK, .dependency-cruiser.cjs), applied by the Kubernetes
 * engine and validated against the batch/v1 and core/v1 OpenAPI schemas in the tests (kubernetes-models).
 *
 * Kubernetes facts relied on (https://kubernetes.io/docs/concepts/workloads/controllers/job/, read 2026-12):
 * - `completionMode: Indexed`: each pod gets its index in the `JOB_COMPLETION_INDEX` variable;
 *   with `parallelism = completions` every worker runs at once.
 * - `backoffLimit: 0`: a failed worker is not retried (a retry would add users mid-run); its
 *   missing result fails the run instead.
 * - `activeDeadlineSeconds`: the Job, and every pod still running, ends at the deadline: workers
 *   stop by themselves even if one hangs.
 * - `ttlSecondsAfterFinished`: the finished Job and its pods (with their logs, the results) are
 *   deleted after that many seconds, so nothing is left behind.
 */
import type { V1ConfigMap, V1Job } from "@kubernetes/client-node";
import { BUNDLE_FILE, SPEC_FILE, workerCommand } from "./bundle";
import { type WorkerSpec } from "./spec";

/**
 * A worker image as `--image` takes it: pinned by digest (`name[:tag]@sha256:<64 hex>`), so that
 * every worker of a run, in every region, runs the very same bytes. The digest is the operator's
 * to read (docs/qa.md: `docker buildx imagetools inspect node:22-bookworm-slim`, the multi-arch
 * index's "Digest:"); none is shipped, because none could be verified where this was written.
 */
export const PINNED_IMAGE =
    /^[a-z0-9]+([._\-/][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?@sha256:[0-9a-f]{64}$/;

/** The `node` user of the official Node images. */
const NODE_UID = 1000;
const MOUNT = "/opt/loadtest";
const SCRATCH = "/tmp";

export interface WorkerResources {
    /** CPU request and limit of a worker, millicores: one Node event loop uses one core at most. @default 1000 */
    readonly cpuMillicores: number;
    /** Memory request and limit, MiB. @default 512 */
    readonly memoryMiB: number;
}

export const DEFAULT_WORKER_RESOURCES: WorkerResources = { cpuMillicores: 1000, memoryMiB: 512 };

export interface RunManifests {
    readonly region: string;
    /** The Job's (and the ConfigMap's) name and namespace. */
    readonly name: string;
    readonly namespace: string;
    readonly configMap: V1ConfigMap;
    readonly job: V1Job;
}

export interface ManifestOptions {
    readonly namespace: string;
    /** The generator region's catalog code: part of the names. */
    readonly code: string;
    /** The workers' Node (≥ 22.19, undici 8's floor) image, pinned by digest (PINNED_IMAGE). */
    readonly image: string;
    readonly resources?: WorkerResources;
    /** The service account the workers run as (no API token is mounted). */
    readonly serviceAccountName: string;
    readonly deadlineS: number;
    /** @default 3600 */
    readonly ttlSecondsAfterFinished?: number;
}

/** The Job of a run in a region: `loadtest-<run>-<code>`, a DNS label (at most 63 characters). */
export function jobName(runId: string, code: string): string {
    return `loadtest-${runId}-${code}`;
}

export const RUN_LABEL = "loadtest.platform/run";
export const REGION_LABEL = "loadtest.platform/region";

/** Selects the pods of one run's Job in one generator region. */
export function podSelector(runId: string, region: string): string {
    return `${RUN_LABEL}=${runId},${REGION_LABEL}=${region}`;
}

export function runManifests(spec: WorkerSpec, bundle: Buffer, options: ManifestOptions): RunManifests {
    const name = jobName(spec.runId, options.code);
    const workers = spec.users.length;
    const resources = options.resources ?? DEFAULT_WORKER_RESOURCES;
    const limits = { cpu: `${resources.cpuMillicores}m`, memory: `${resources.memoryMiB}Mi` };
    const labels = {
        "app.kubernetes.io/name": "loadtest",
        "app.kubernetes.io/managed-by": "platform-loadtest",
        [RUN_LABEL]: spec.runId,
        [REGION_LABEL]: spec.region,
    };
    const metadata = { name, namespace: options.namespace, labels };
    return {
        region: spec.region,
        name,
        namespace: options.namespace,
        configMap: {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata,
            immutable: true,
            data: { [SPEC_FILE]: JSON.stringify(spec) },
            binaryData: { [BUNDLE_FILE]: bundle.toString("base64") },
        },
        job: {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata,
            spec: {
                completionMode: "Indexed",
                completions: workers,
                parallelism: workers,
                backoffLimit: 0,
                activeDeadlineSeconds: options.deadlineS,
                ttlSecondsAfterFinished: options.ttlSecondsAfterFinished ?? 3600,
                template: {
                    metadata: { labels },
                    spec: {
                        restartPolicy: "Never",
                        serviceAccountName: options.serviceAccountName,
                        automountServiceAccountToken: false,
                        // One worker a node where possible: two event loops on one node would share its network and CPU.
                        topologySpreadConstraints: [
                            {
                                maxSkew: 1,
                                topologyKey: "kubernetes.io/hostname",
                                whenUnsatisfiable: "ScheduleAnyway",
                                labelSelector: { matchLabels: { [RUN_LABEL]: spec.runId } },
                            },
                        ],
                        securityContext: {
                            runAsNonRoot: true,
                            runAsUser: NODE_UID,
                            runAsGroup: NODE_UID,
                            seccompProfile: { type: "RuntimeDefault" },
                        },
                        containers: [
                            {
                                name: "worker",
                                image: options.image,
                                command: workerCommand(MOUNT, SCRATCH),
                                env: [{ name: "NODE_OPTIONS", value: `--max-old-space-size=${Math.floor(resources.memoryMiB * 0.75)}` }],
                                resources: { requests: limits, limits },
                                securityContext: {
                                    allowPrivilegeEscalation: false,
                                    readOnlyRootFilesystem: true,
                                    capabilities: { drop: ["ALL"] },
                                },
                                volumeMounts: [
                                    { name: "bundle", mountPath: MOUNT, readOnly: true },
                                    { name: "scratch", mountPath: SCRATCH },
                                ],
                            },
                        ],
                        volumes: [
                            { name: "bundle", configMap: { name } },
                            { name: "scratch", emptyDir: { sizeLimit: "64Mi" } },
                        ],
                    },
                },
            },
        },
    };
}

/**
 * The Kubernetes engine: in each generator region's site (a kubeconfig context of
 * loadgen/Pulumi.<stack>.yaml), it creates the run's ConfigMap and Indexed Job (with
 * `fieldValidation=Strict`, so the API server refuses any field it does not know), waits for the
 * Job to finish, reads each pod's log (the worker's result line) and leaves the Job to its
 * `ttlSecondsAfterFinished`. Ctrl-C deletes the Jobs (their pods with them). Through
 * @kubernetes/client-node, the Kubernetes project's own JavaScript client: kubeconfig contexts,
 * EKS's `aws eks get-token` exec credentials and every API call are its public API.
 */
import { setTimeout as sleep } from "node:timers/promises";
import * as k8s from "@kubernetes/client-node";
import { type Site, type SitesConfig, siteOf } from "../../loadgen/sites";
import { type Engine, type RunContext, type WorkerOutcome } from "./local";
import { type RunManifests, podSelector } from "./manifests";
import { type WorkerSpec } from "./spec";

export interface KubernetesEngineOptions {
    /** A kubeconfig file; default: $KUBECONFIG, else ~/.kube/config. */
    readonly kubeconfigFile?: string;
    /** Pause between polls of a Job's status. @default 5000 */
    readonly pollMs?: number;
}

/** The annotation holding a pod's completion index (set by the Job controller on Indexed Jobs). */
const INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index";

export function kubernetesEngine(sites: SitesConfig, options: KubernetesEngineOptions = {}): Engine {
    return {
        async run(specs, _bundle, deadlineS, context: RunContext = {}) {
            const manifests = context.manifests;
            if (manifests === undefined) throw new Error("the Kubernetes engine needs the run's manifests");
            const results = await Promise.all(
                specs.map((spec) => {
                    const site = siteOf(sites, spec.region);
                    const m = manifests.find((x) => x.region === spec.region);
                    if (site === undefined || m === undefined) throw new Error(`no site or manifests for ${spec.region}`);
                    return runInSite(site, spec, m, deadlineS, options, context.signal);
                }),
            );
            return results.flat();
        },
    };
}

function apis(site: Site, options: KubernetesEngineOptions) {
    const config = new k8s.KubeConfig();
    if (options.kubeconfigFile) config.loadFromFile(options.kubeconfigFile);
    else config.loadFromDefault();
    if (!config.getContexts().some((c) => c.name === site.context))
        throw new Error(
            `kubeconfig has no context ${site.context} (for ${site.region}): run aws eks update-kubeconfig --name ${site.cluster} --region ${site.region} --alias ${site.context}`,
        );
    config.setCurrentContext(site.context);
    return { core: config.makeApiClient(k8s.CoreV1Api), batch: config.makeApiClient(k8s.BatchV1Api) };
}

async function runInSite(
    site: Site,
    spec: WorkerSpec,
    manifests: RunManifests,
    deadlineS: number,
    options: KubernetesEngineOptions,
    signal?: AbortSignal,
): Promise<WorkerOutcome[]> {
    const { core, batch } = apis(site, options);
    const { name, namespace } = manifests;
    await core.createNamespacedConfigMap({ namespace, body: manifests.configMap, fieldValidation: "Strict" });
    await batch.createNamespacedJob({ namespace, body: manifests.job, fieldValidation: "Strict" });
    const until = Date.now() + (deadlineS + 60) * 1000;
    while (!signal?.aborted && Date.now() < until) {
        const job = await batch.readNamespacedJobStatus({ name, namespace });
        if (finished(job)) break;
        await sleep(options.pollMs ?? 5000, undefined, { signal }).catch(() => undefined);
    }
    if (signal?.aborted) await batch.deleteNamespacedJob({ name, namespace, propagationPolicy: "Background" }).catch(() => undefined);
    // The run's own labels (manifests.ts), not the Job controller's: they select exactly this Job's pods.
    const pods = await core.listNamespacedPod({ namespace, labelSelector: podSelector(spec.runId, spec.region) });
    return Promise.all(
        spec.users.map(async (_, index): Promise<WorkerOutcome> => {
            // A failed pod may have been replaced: the one that ran last for the index holds the result.
            const pod = pods.items.filter((p) => p.metadata?.annotations?.[INDEX_ANNOTATION] === String(index)).at(-1);
            if (pod === undefined) return { region: spec.region, index, exitCode: null, output: "", errors: "no pod ran" };
            const terminated = pod.status?.containerStatuses?.[0]?.state?.terminated;
            const output = await core
                .readNamespacedPodLog({ name: pod.metadata!.name!, namespace, container: "worker" })
                .catch((err: Error) => `(log unreadable: ${err.message})`);
            // The pod's log is the worker's stdout and stderr together: its last line says why it failed.
            const exitCode = terminated?.exitCode ?? null;
            const why = terminated === undefined ? `pod ${pod.status?.phase ?? "unknown"}, never terminated` : (terminated.reason ?? "");
            return {
                region: spec.region,
                index,
                exitCode,
                output,
                errors: exitCode === 0 ? "" : [why, output.trim().split("\n").slice(-12).join(" | ")].filter(Boolean).join(": "),
            };
        }),
    );
}

/** Complete or Failed (a Job past its deadline fails with reason DeadlineExceeded). */
function finished(job: k8s.V1Job): boolean {
    return (job.status?.conditions ?? []).some((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
}

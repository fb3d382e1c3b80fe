/**
 * A stand-in for the few Kubernetes API calls the distributed load test makes (create a
 * ConfigMap and a Job, read the Job's status, list its pods, read a pod's log, delete the Job),
 * on 127.0.0.1, that also plays the kubelet: a created Job's pods run as local processes with the
 * container's own command and environment, its ConfigMap volume as a folder and its emptyDir as
 * another, `JOB_COMPLETION_INDEX` set per pod as the Job controller sets it, and
 * `activeDeadlineSeconds` enforced. Objects are validated against the batch/v1 and v1 OpenAPI
 * schemas (kubernetes-models) as the API server would, and refused with 422 when invalid.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { listen } from "./loopback";

type Obj = Record<string, any>;

interface Pod {
    readonly name: string;
    readonly namespace: string;
    readonly job: string;
    readonly index: number;
    readonly labels: Record<string, string>;
    phase: "Running" | "Succeeded" | "Failed";
    exitCode?: number;
    log: string;
    process?: ChildProcess;
}

export interface KubeStandIn {
    readonly url: string;
    /** A kubeconfig file with one context per name, all pointing here. */
    kubeconfig(contexts: readonly string[]): string;
    readonly jobs: Obj[];
    readonly configMaps: Obj[];
    /** Method and path of every request, in order. */
    readonly requests: string[];
    close(): Promise<void>;
}

/** Validates a Job or ConfigMap as the API server would; the problems, or none. */
export async function schemaProblems(object: Obj): Promise<string[]> {
    const models =
        object.kind === "Job"
            ? ((await import("kubernetes-models/batch/v1")) as unknown as Record<string, new (o: Obj) => { validate(): void }>)
            : ((await import("kubernetes-models/v1")) as unknown as Record<string, new (o: Obj) => { validate(): void }>);
    try {
        new models[object.kind](object).validate();
        return [];
    } catch (err) {
        return [(err as Error).message];
    }
}

export async function startKubeStandIn(): Promise<KubeStandIn> {
    const root = mkdtempSync(path.join(tmpdir(), "kube-standin-"));
    const jobs: Obj[] = [];
    const configMaps: Obj[] = [];
    const pods: Pod[] = [];
    const requests: string[] = [];

    const json = (res: http.ServerResponse, status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
    };
    const status = (code: number, message: string) => ({ kind: "Status", apiVersion: "v1", status: "Failure", code, message });

    const jobStatus = (job: Obj) => {
        const mine = pods.filter((p) => p.job === job.metadata.name && p.namespace === job.metadata.namespace);
        const succeeded = mine.filter((p) => p.phase === "Succeeded").length;
        const failed = mine.filter((p) => p.phase === "Failed").length;
        const conditions = [];
        if (job.status?.deadlineExceeded) conditions.push({ type: "Failed", status: "True", reason: "DeadlineExceeded" });
        else if (failed > (job.spec.backoffLimit ?? 6)) conditions.push({ type: "Failed", status: "True", reason: "BackoffLimitExceeded" });
        else if (succeeded === job.spec.completions) conditions.push({ type: "Complete", status: "True" });
        return { ...job, status: { active: mine.filter((p) => p.phase === "Running").length, succeeded, failed, conditions } };
    };

    /** The kubelet's part: every pod of the Job as a process. */
    const runJob = (job: Obj) => {
        const spec = job.spec.template.spec;
        const container = spec.containers[0];
        const volumeDir = new Map<string, string>();
        for (const volume of spec.volumes) {
            const dir = path.join(root, job.metadata.name, volume.name);
            mkdirSync(dir, { recursive: true });
            if (volume.configMap) {
                const cm = configMaps.find(
                    (c) => c.metadata.name === volume.configMap.name && c.metadata.namespace === job.metadata.namespace,
                );
                for (const [file, text] of Object.entries<string>(cm?.data ?? {})) writeFileSync(path.join(dir, file), text);
                for (const [file, b64] of Object.entries<string>(cm?.binaryData ?? {}))
                    writeFileSync(path.join(dir, file), Buffer.from(b64, "base64"));
            }
            volumeDir.set(volume.name, dir);
        }
        for (let index = 0; index < job.spec.completions; index++) {
            // Each pod its own emptyDir; the ConfigMap volume is shared read-only.
            const mounts = container.volumeMounts.map((m: Obj) => {
                const dir = spec.volumes.find((v: Obj) => v.name === m.name).emptyDir
                    ? path.join(root, job.metadata.name, `${m.name}-${index}`)
                    : volumeDir.get(m.name)!;
                mkdirSync(dir, { recursive: true });
                return [m.mountPath as string, dir] as const;
            });
            // Every mount path at once (a folder of one mount may contain another's path).
            const pattern = new RegExp(
                mounts.map(([from]: readonly [string, string]) => `${from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/`).join("|"),
                "g",
            );
            const target = new Map<string, string>(mounts.map(([from, to]: readonly [string, string]) => [`${from}/`, `${to}/`]));
            const mapPath = (text: string) => text.replace(pattern, (hit) => target.get(hit)!);
            const [command, ...args] = [...container.command, ...(container.args ?? [])].map(mapPath);
            const env = Object.fromEntries(container.env.map((e: Obj) => [e.name, e.value]));
            const pod: Pod = {
                name: `${job.metadata.name}-${index}-x${index}`,
                namespace: job.metadata.namespace,
                job: job.metadata.name,
                index,
                labels: { ...job.spec.template.metadata.labels, "batch.kubernetes.io/job-name": job.metadata.name },
                phase: "Running",
                log: "",
            };
            const child = spawn(command === "node" ? process.execPath : command, args, {
                env: { PATH: process.env.PATH, ...env, JOB_COMPLETION_INDEX: String(index) },
                stdio: ["ignore", "pipe", "pipe"],
            });
            child.stdout.on("data", (chunk: Buffer) => (pod.log += chunk.toString()));
            child.stderr.on("data", (chunk: Buffer) => (pod.log += chunk.toString()));
            child.on("close", (code) => {
                pod.exitCode = code ?? 137;
                pod.phase = code === 0 ? "Succeeded" : "Failed";
                pod.process = undefined;
            });
            pod.process = child;
            pods.push(pod);
        }
        // At the deadline the Job controller ends its pods; the Job reads Failed once they are gone.
        const deadline = setTimeout(async () => {
            const running = pods.filter((p) => p.job === job.metadata.name && p.process !== undefined);
            await Promise.all(
                running.map((p) => new Promise((resolve) => (p.process!.once("close", resolve), p.process!.kill("SIGKILL")))),
            );
            job.status = { deadlineExceeded: true };
        }, job.spec.activeDeadlineSeconds * 1000);
        deadline.unref();
    };

    const podJson = (p: Pod) => ({
        metadata: {
            name: p.name,
            namespace: p.namespace,
            labels: p.labels,
            annotations: { "batch.kubernetes.io/job-completion-index": String(p.index) },
        },
        status: {
            phase: p.phase,
            containerStatuses: [
                {
                    name: "worker",
                    image: "stand-in",
                    imageID: "",
                    ready: false,
                    restartCount: 0,
                    state: p.exitCode === undefined ? { running: {} } : { terminated: { exitCode: p.exitCode } },
                },
            ],
        },
    });

    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk.toString()));
        req.on("end", async () => {
            const url = new URL(req.url ?? "/", "http://x");
            requests.push(`${req.method} ${url.pathname}`);
            let m: RegExpMatchArray | null;
            if (req.headers.authorization !== "Bearer stand-in-token") return json(res, 401, status(401, "Unauthorized"));
            if (
                req.method === "POST" &&
                (m = url.pathname.match(/^\/(api\/v1|apis\/batch\/v1)\/namespaces\/([^/]+)\/(configmaps|jobs)$/))
            ) {
                const object = JSON.parse(body) as Obj;
                const problems = await schemaProblems(object);
                if (url.searchParams.get("fieldValidation") !== "Strict")
                    problems.push("the client did not ask for strict field validation");
                if (problems.length > 0) return json(res, 422, status(422, problems.join("; ")));
                if (object.metadata.namespace !== m[2]) return json(res, 400, status(400, "namespace mismatch"));
                (m[3] === "jobs" ? jobs : configMaps).push(object);
                if (m[3] === "jobs") runJob(object);
                return json(res, 201, object);
            }
            if (req.method === "GET" && (m = url.pathname.match(/^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)\/status$/))) {
                const job = jobs.find((j) => j.metadata.namespace === m![1] && j.metadata.name === m![2]);
                return job ? json(res, 200, jobStatus(job)) : json(res, 404, status(404, "not found"));
            }
            if (req.method === "GET" && (m = url.pathname.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods$/))) {
                const wanted = (url.searchParams.get("labelSelector") ?? "").split(",").map((term) => term.split("="));
                const items = pods.filter((p) => p.namespace === m![1] && wanted.every(([k, v]) => p.labels[k] === v)).map(podJson);
                return json(res, 200, { kind: "PodList", apiVersion: "v1", metadata: {}, items });
            }
            if (req.method === "GET" && (m = url.pathname.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/))) {
                const pod = pods.find((p) => p.namespace === m![1] && p.name === m![2]);
                if (!pod) return json(res, 404, status(404, "not found"));
                res.writeHead(200, { "content-type": "text/plain" });
                return res.end(pod.log);
            }
            if (req.method === "DELETE" && (m = url.pathname.match(/^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)$/))) {
                for (const p of pods) if (p.job === m[2]) p.process?.kill("SIGTERM");
                return json(res, 200, { kind: "Status", apiVersion: "v1", status: "Success" });
            }
            json(res, 404, status(404, `no route ${req.method} ${url.pathname}`));
        });
    });
    const base = await listen(server, {});
    return {
        url: base.url,
        jobs,
        configMaps,
        requests,
        kubeconfig(contexts) {
            const file = path.join(root, `kubeconfig-${contexts.join("-")}.yaml`);
            writeFileSync(
                file,
                stringify({
                    apiVersion: "v1",
                    kind: "Config",
                    clusters: [{ name: "standin", cluster: { server: base.url, "insecure-skip-tls-verify": true } }],
                    users: [{ name: "tester", user: { token: "stand-in-token" } }],
                    contexts: contexts.map((name) => ({ name, context: { cluster: "standin", user: "tester" } })),
                    "current-context": contexts[0],
                }),
            );
            return file;
        },
        async close() {
            for (const p of pods) p.process?.kill("SIGKILL");
            await base.close();
            rmSync(root, { recursive: true, force: true });
        },
    };
}

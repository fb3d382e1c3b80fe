/**
 * The worker as one file: tools/distributed/worker.ts and everything it imports (the engine,
 * undici, hdr-histogram-js), bundled by esbuild for Node 22 and gzipped. Kubernetes mounts it from
 * a ConfigMap into a public Node image, so no image is built; the local engine runs the very same
 * bytes with the very same command (`workerCommand`).
 *
 * Why gzipped: undici alone is about 740 KB minified, and a ConfigMap holds at most 1 MiB
 * (https://kubernetes.io/docs/concepts/configuration/configmap/: "The data stored in a ConfigMap
 * cannot exceed 1 MiB", read 2026-12). Gzipped, the bundle is about a third of that.
 */
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { buildSync } from "esbuild";
import { projectRoot } from "../common";

/** What a ConfigMap may hold, spec included; the bundle, base64-encoded as `binaryData`, must leave room for the spec. */
export const CONFIGMAP_LIMIT_BYTES = 1024 * 1024;
export const BUNDLE_FILE = "worker.js.gz";
export const SPEC_FILE = "spec.json";

export class BundleError extends Error {}

let cached: Buffer | undefined;

/** The gzipped bundled worker (built once per process). */
export function workerBundle(root = projectRoot()): Buffer {
    if (cached !== undefined) return cached;
    const result = buildSync({
        entryPoints: [path.join(root, "tools", "distributed", "worker.ts")],
        bundle: true,
        platform: "node",
        format: "cjs",
        target: "node22",
        minify: true,
        write: false,
        legalComments: "none",
        logLevel: "silent",
    });
    const gz = gzipSync(result.outputFiles[0].contents, { level: 9 });
    // base64 (binaryData) is 4/3 of the bytes; half the limit leaves the spec and metadata ample room.
    if ((gz.length * 4) / 3 > CONFIGMAP_LIMIT_BYTES / 2)
        throw new BundleError(`the gzipped worker is ${gz.length} bytes: too large for a ConfigMap beside its spec`);
    cached = gz;
    return gz;
}

/**
 * The worker's command: Node unzips the bundle from `mountDir` into `scratchDir` and runs it with
 * the spec; Node's own zlib and fs only, so any Node ≥ 22.19 image (undici's floor) runs it without a shell.
 */
export function workerCommand(mountDir: string, scratchDir: string): string[] {
    const script = [
        `const fs=require("fs"),zlib=require("zlib");`,
        `fs.writeFileSync(${JSON.stringify(`${scratchDir}/worker.js`)},zlib.gunzipSync(fs.readFileSync(${JSON.stringify(`${mountDir}/${BUNDLE_FILE}`)})));`,
        `require(${JSON.stringify(`${scratchDir}/worker.js`)}).main(process.argv.slice(1),process.env).then(c=>{process.exitCode=c});`,
    ].join("");
    return ["node", "-e", script, `${mountDir}/${SPEC_FILE}`];
}

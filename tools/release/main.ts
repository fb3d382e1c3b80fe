/**
 * `npm run release`: a new image (or Kubernetes minor) to the cells of a stack in waves, the
 * canary cell first, each wave only after the ones before stayed healthy for their bake time
 * (docs/releases.md; flags: `npm run release -- --help`).
 *
 * Exit status: 0 released, rolled back as asked, or (--dry-run) every state plans clean; 1 the
 * release stopped (health gate, a failed or hung pulumi command, a plan that does not hold); 2
 * bad input; 3 the release itself failed; 130 interrupted (state saved: --resume).
 */
import * as path from "node:path";
import { readStack } from "../../plan/stackConfig";
import { type FlagTable, HELP_FLAG } from "../../plan/usage";
import {
    type Io,
    InputError,
    TOOL_EXIT,
    checkStackName,
    errorLine,
    numberFlags,
    parseFlags,
    processIo,
    projectRoot,
    startupExit,
} from "../common";
import { type ReleaseMode, type ReleaseOptions, type ReleaseRuntime, RELEASE_EXIT, runRelease } from "./run";
import { stateFile } from "./state";

export const RELEASE_FLAGS = {
    stack: { type: "string", default: "prod", value: "NAME", description: "release to the stack of Pulumi.NAME.yaml" },
    image: {
        type: "string",
        value: "DIGEST",
        description: "the new API image: sha256:HEX (64 hex digits; the stack's repository) or REPO@sha256:HEX",
    },
    "kubernetes-version": { type: "string", value: "X.Y", description: "the new EKS minor instead (its add-ons and charts follow it)" },
    "aurora-engine-version": {
        type: "string",
        value: "X.Y",
        description:
            "a new Aurora minor instead: the secondaries' clusters first, the primary's last (a major goes through platform:data.engineVersion)",
    },
    "dry-run": {
        type: "boolean",
        default: false,
        description: "print the waves with their cells, targets, health gates and bake times, and plan every state offline; change nothing",
    },
    resume: { type: "boolean", default: false, description: "continue the release under way (after Ctrl-C, a crash or a fixed failure)" },
    rollback: { type: "boolean", default: false, description: "undo the waves the release under way reached, newest first" },
    "auto-rollback": { type: "boolean", default: false, description: "roll back at once when a wave fails, instead of only saying how" },
    emergency: { type: "boolean", default: false, description: "every cell in one wave, for a fix that cannot wait (needs --reason)" },
    reason: {
        type: "string",
        value: "TEXT",
        description: "why waves are skipped: recorded in the state and the summary",
        onlyWith: "emergency",
    },
    "poll-seconds": {
        type: "string",
        value: "S",
        description: "seconds between health checks while a wave bakes",
        number: { default: 30, min: 5, max: 600, integer: true },
    },
    "pulumi-timeout-minutes": {
        type: "string",
        value: "M",
        description: "stop a pulumi command (SIGINT; SIGKILL only 125 min later) that runs longer: a hung update stops the release",
        number: { default: 90, min: 1, max: 1440, integer: true },
    },
    "stack-file": { type: "string", value: "FILE", description: "the stack file to edit", defaultText: "Pulumi.NAME.yaml" },
    help: HELP_FLAG,
} as const satisfies FlagTable;

export function parseOptions(argv: string[], root = projectRoot()): ReleaseOptions {
    const values = parseFlags(argv, "release", RELEASE_FLAGS);
    const number = numberFlags(RELEASE_FLAGS, values);
    const stack = checkStackName(values.stack);
    const modes = (["dry-run", "resume", "rollback"] as const).filter((m) => values[m]);
    if (modes.length > 1) throw new InputError(`--${modes.join(" and --")} exclude each other`);
    const mode: ReleaseMode = modes[0] ?? "start";
    const flags = { image: "image", "kubernetes-version": "kubernetesVersion", "aurora-engine-version": "auroraEngineVersion" } as const;
    const given = (Object.keys(flags) as (keyof typeof flags)[]).filter((flag) => values[flag] !== undefined);
    if (mode === "resume" || mode === "rollback") {
        if (given.length > 0 || values.emergency)
            throw new InputError(`--${mode} continues the release under way: give no --${given[0] ?? "emergency"}`);
    } else if (given.length !== 1) {
        throw new InputError(
            given.length === 0
                ? "give --image DIGEST, --kubernetes-version X.Y or --aurora-engine-version X.Y"
                : `give one of --image, --kubernetes-version, --aurora-engine-version, not --${given.join(" and --")}`,
        );
    }
    if (values.emergency && !values.reason?.trim())
        throw new InputError("--emergency needs --reason TEXT: why the waves are skipped is recorded");
    const file = values["stack-file"] === undefined ? readStack(root, stack).source : path.resolve(values["stack-file"]);
    return {
        mode,
        root,
        stack,
        file,
        stateFile: stateFile(path.dirname(file), stack),
        key: given.length === 1 ? flags[given[0]] : undefined,
        value: given.length === 1 ? values[given[0]] : undefined,
        emergencyReason: values.emergency ? values.reason!.trim() : undefined,
        autoRollback: values["auto-rollback"],
        pollSeconds: number("poll-seconds"),
        pulumiTimeoutMinutes: number("pulumi-timeout-minutes"),
    };
}

export async function main(argv: string[], runtime: Omit<ReleaseRuntime, "io"> & { io?: Io; root?: string }): Promise<number> {
    const io = runtime.io ?? processIo;
    let options: ReleaseOptions;
    try {
        options = parseOptions(argv, runtime.root);
    } catch (err) {
        return startupExit("release", io, err);
    }
    try {
        return await runRelease(options, { ...runtime, io });
    } catch (err) {
        io.err(errorLine("release", err));
        return err instanceof InputError ? TOOL_EXIT.input : RELEASE_EXIT.failure;
    }
}

if (require.main === module) {
    // Ctrl-C: the pulumi command under way is stopped gracefully and the state saved for --resume.
    const controller = new AbortController();
    const onSignal = () => {
        if (controller.signal.aborted) process.stderr.write("release: stopping; the state is being saved\n");
        controller.abort();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    main(process.argv.slice(2), { env: process.env, signal: controller.signal }).then((code) => process.exit(code));
}

/**
 * A stand-in `pulumi` executable for the release tests: installed on PATH as a shell script
 * that runs this file. It records each call's arguments (and the pins of the config file it was
 * given, as they stood at that moment) in `calls.jsonl`, and answers as the CLI does: success,
 * a failed update (exit 255, Pulumi's status for a failed command) or a hang until SIGINT, by
 * the script in `script.json` (`{ "up": ["ok", "hang"] }`: the first `up` succeeds, the second
 * hangs; later ones succeed).
 */
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export type Answer = "ok" | "fail" | "hang";

export interface PulumiCall {
    readonly argv: string[];
    /** Each region's `pins.image` in the `--config-file`, when the call was made (null: none). */
    readonly pins: Record<string, string | null>;
    /** The config file's `platform:app.image` at that moment. */
    readonly stackImage: string | null;
}

export interface PulumiStandIn {
    /** Prepend to PATH. */
    readonly bin: string;
    calls(): PulumiCall[];
    /** Answers by verb (`preview`, `up`), consumed in order. */
    script(answers: Partial<Record<string, Answer[]>>): void;
}

/** Installs the stand-in in `dir`/bin, its records in `dir`. */
export function installPulumiStandIn(dir: string): PulumiStandIn {
    const bin = path.join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    const executable = path.join(bin, "pulumi");
    writeFileSync(executable, `#!/bin/sh\nPULUMI_STANDIN_DIR='${dir}' exec '${process.execPath}' '${__filename}' "$@"\n`);
    chmodSync(executable, 0o755);
    writeFileSync(path.join(dir, "script.json"), "{}");
    const log = path.join(dir, "calls.jsonl");
    return {
        bin,
        calls: () =>
            existsSync(log)
                ? readFileSync(log, "utf8")
                      .trim()
                      .split("\n")
                      .map((line) => JSON.parse(line) as PulumiCall)
                : [],
        script: (answers) => writeFileSync(path.join(dir, "script.json"), JSON.stringify(answers)),
    };
}

function flagValue(argv: readonly string[], flag: string): string | undefined {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
}

function pinsOf(file: string | undefined): Pick<PulumiCall, "pins" | "stackImage"> {
    if (file === undefined || !existsSync(file)) return { pins: {}, stackImage: null };
    const config = (parse(readFileSync(file, "utf8")) as { config: Record<string, any> }).config;
    const regions = (config["platform:regions"] ?? []) as { name: string; pins?: { image?: string } }[];
    return {
        pins: Object.fromEntries(regions.map((r) => [r.name, r.pins?.image ?? null])),
        stackImage: config["platform:app"]?.image ?? null,
    };
}

function standIn(argv: string[]): void {
    const dir = process.env.PULUMI_STANDIN_DIR!;
    const log = path.join(dir, "calls.jsonl");
    const verb = argv[0];
    const stack = flagValue(argv, "--stack");
    const earlier = existsSync(log)
        ? readFileSync(log, "utf8")
              .trim()
              .split("\n")
              .filter((line) => line && (JSON.parse(line) as PulumiCall).argv[0] === verb).length
        : 0;
    const call: PulumiCall = { argv, ...pinsOf(flagValue(argv, "--config-file")) };
    appendFileSync(log, `${JSON.stringify(call)}\n`);
    const script = JSON.parse(readFileSync(path.join(dir, "script.json"), "utf8")) as Record<string, Answer[]>;
    const answer = script[verb]?.[earlier] ?? "ok";
    const targets = argv.filter((a) => a.startsWith("urn:")).length;
    const out = (text: string) => process.stdout.write(`${text}\n`);
    if (stack === undefined || !argv.includes("--non-interactive")) {
        process.stderr.write("error: --stack must be specified when not running interactively\n");
        process.exit(255);
    }
    out(verb === "up" ? `Updating (${stack}):` : `Previewing update (${stack}):`);
    if (answer === "hang") {
        // Like the CLI on Ctrl-C: cancel, save the state, exit non-zero.
        process.on("SIGINT", () => {
            process.stderr.write("error: update canceled\n");
            process.exit(255);
        });
        setInterval(() => undefined, 1000);
        return;
    }
    if (answer === "fail") {
        out(" ~ kubernetes:apps/v1:Deployment api-deployment updating failed");
        process.stderr.write("error: update failed\n");
        process.exit(255);
    }
    out(`Resources:\n    ~ ${targets > 0 ? 1 : 0} to update\n    ${targets > 0 ? targets - 1 : 680} unchanged`);
    process.exit(0);
}

if (require.main === module) standIn(process.argv.slice(2));

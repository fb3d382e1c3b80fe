/**
 * Reads a stack's config the way the Pulumi CLI hands it to a program: full keys
 * (`platform:regions`) to strings, objects as JSON. Encrypted values (`secure:`) cannot
 * be decrypted offline; they are passed as secrets with a stand-in value, so that the
 * program treats them as secrets and the plan masks them.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { type Raw, isRecord } from "../config/problems";

export interface StackConfig {
    readonly project: string;
    readonly stack: string;
    /** The file the config came from, for messages. */
    readonly source: string;
    readonly config: Record<string, string>;
    readonly secretKeys: string[];
}

/** Pulumi stack names: letters, digits, `-`, `_`, `.`. */
export const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

/** The project folder (where Pulumi.yaml is), whether running from source or from .build/. */
export function projectRoot(): string {
    const up = path.resolve(__dirname, "..");
    return path.basename(up) === ".build" ? path.dirname(up) : up;
}

/** A problem reading the files themselves (missing, not YAML): exit 2 like a bad value. */
export class StackConfigError extends Error {}

const OFFLINE_SECRET = "offline-plan-secret";

export function readProjectName(dir: string): string {
    const file = path.join(dir, "Pulumi.yaml");
    const project = readYaml(file);
    if (!isRecord(project) || typeof project.name !== "string")
        throw new StackConfigError(`${file}: no project name (a top-level "name:")`);
    return project.name;
}

/** `Pulumi.<stack>.yaml` beside `Pulumi.yaml` in `dir`. */
export function readStack(dir: string, stack: string): StackConfig {
    const project = readProjectName(dir);
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!existsSync(file))
        throw new StackConfigError(`${file} does not exist; create it or pass --stack with an existing stack (or --config FILE)`);
    return fromDocument(project, stack, file);
}

/** Any file of the stack-config shape (`config:` map), planned as stack `stack`. */
export function readConfigFile(file: string, project: string, stack: string): StackConfig {
    if (!existsSync(file)) throw new StackConfigError(`${file} does not exist`);
    return fromDocument(project, stack, file);
}

function fromDocument(project: string, stack: string, file: string): StackConfig {
    const document = readYaml(file);
    if (!isRecord(document) || !isRecord(document.config)) {
        throw new StackConfigError(`${file}: no "config:" map; a stack config file looks like Pulumi.prod.yaml`);
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [rawKey, value] of Object.entries(document.config as Raw)) {
        const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
        if (isRecord(value) && Object.keys(value).length === 1 && typeof value.secure === "string") {
            config[key] = OFFLINE_SECRET;
            secretKeys.push(key);
        } else {
            config[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { project, stack, source: file, config, secretKeys };
}

function readYaml(file: string): unknown {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (err) {
        throw new StackConfigError(`${file}: ${(err as Error).message}`);
    }
    try {
        return parse(text);
    } catch (err) {
        throw new StackConfigError(`${file} is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
    }
}

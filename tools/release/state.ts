/**
 * The record of a release, written after every step (whole, by rename), so that an interrupt or
 * a crash leaves a state `--resume` continues from and `--rollback` undoes. It lives beside the
 * stack file (`releases/<stack>.json`) and is committed with it: the stack file carries the
 * pins, this file why they are there.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { type PinKey } from "../../config/release";

export type WaveStatus = "pending" | "applying" | "baking" | "done" | "failed" | "rolledBack";
export type ReleaseStatus = "running" | "interrupted" | "failed" | "done" | "rollingBack" | "rolledBack";

export interface WaveRecord {
    readonly index: number;
    readonly regions: readonly string[];
    readonly codes: readonly string[];
    readonly bakeMinutes: number;
    status: WaveStatus;
    startedAt?: string;
    endedAt?: string;
    problem?: string;
}

export interface ReleaseState {
    readonly version: 1;
    readonly id: string;
    readonly stack: string;
    readonly key: PinKey;
    readonly value: string;
    /** Each cell's pin of `key` before the release (undefined: none, the stack-wide value). */
    readonly before: Readonly<Record<string, string | null>>;
    /** `--emergency`: every cell in one wave, and why. */
    readonly emergencyReason?: string;
    status: ReleaseStatus;
    readonly waves: WaveRecord[];
    readonly events: { at: string; message: string }[];
}

export function stateFile(root: string, stack: string): string {
    return path.join(root, "releases", `${stack}.json`);
}

export function readState(file: string): ReleaseState | undefined {
    if (!existsSync(file)) return undefined;
    const state = JSON.parse(readFileSync(file, "utf8")) as ReleaseState;
    if (state.version !== 1) throw new Error(`${file}: release state version ${String(state.version)} is not 1`);
    return state;
}

export function writeState(file: string, state: ReleaseState): void {
    mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(temporary, file);
}

/** A release still under way: a new one must not start over it. */
export function isOpen(state: ReleaseState | undefined): boolean {
    return state !== undefined && state.status !== "done" && state.status !== "rolledBack";
}

/** Scenarios and a scratch folder for the QA tools' tests. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { type Scenario } from "../../tools/scenario";

/** Users fire back-to-back (think 0): the load is then set by the user count alone. */
export const BUSY: Scenario = {
    name: "busy",
    steps: [{ name: "get", weight: 1, method: "GET", path: "/v1/sync", headers: {}, thinkMs: { min: 0, max: 0 }, routeClass: "read" }],
};

export const BUSY_YAML = "name: busy\nrequests:\n  - { method: GET, path: /v1/sync }\n";

/** A user pausing `thinkMs` between requests: enough load to measure, not enough to saturate the one event
 * loop that runs both the generator and the target (which would add its own queueing to the latency). */
export const pacedYaml = (thinkMs: number) =>
    `name: paced\nthinkMs: { min: ${thinkMs}, max: ${thinkMs} }\nrequests:\n  - { method: GET, path: /v1/sync }\n`;

export interface ScratchFolder {
    /** The folder; valid inside the tests of the block that made it. */
    readonly path: () => string;
    /** Writes `text` to `name` in the folder; returns the file's path. */
    file(name: string, text: string): string;
}

/** A temporary folder for the enclosing describe block (or file): made before its tests, removed after. */
export function scratchFolder(prefix: string): ScratchFolder {
    let dir = "";
    before(() => {
        dir = mkdtempSync(path.join(tmpdir(), prefix));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    return {
        path: () => dir,
        file: (name, text) => {
            const file = path.join(dir, name);
            writeFileSync(file, text);
            return file;
        },
    };
}

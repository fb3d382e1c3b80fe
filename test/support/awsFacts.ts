/**
 * Valid AWS values per region (test/fixtures/aws-facts.json, vendored from the public schema
 * data of aws-cloudformation/cfn-lint, commit 217397c, 2026-08-19, MIT-0; its `source` field says
 * so). Tests check that what the program declares exists where it declares it; the program
 * itself never reads this file.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../../plan/stackConfig";

export interface AwsFacts {
    readonly source: string;
    readonly regions: readonly string[];
    readonly auroraPostgresVersions: readonly string[];
    readonly auroraPgClassesByRegion: Readonly<Record<string, readonly string[]>>;
    readonly cacheEngineVersions: Readonly<Record<string, readonly string[]>>;
    readonly cacheNodeTypesByRegion: Readonly<Record<string, readonly string[]>>;
    readonly opensearchTypesByRegion: Readonly<Record<string, readonly string[]>>;
    readonly ec2TypesByRegion: Readonly<Record<string, readonly string[]>>;
}

let cached: AwsFacts | undefined;

export function awsFacts(): AwsFacts {
    cached ??= JSON.parse(readFileSync(path.join(projectRoot(), "test", "fixtures", "aws-facts.json"), "utf8")) as AwsFacts;
    return cached;
}

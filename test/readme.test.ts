import * as assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../plan/stackConfig";

/** The paths in the first column of README's "Layout" table. */
function layoutPaths(): string[] {
    const readme = readFileSync(path.join(projectRoot(), "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Layout\n"), readme.indexOf("\n## ", readme.indexOf("## Layout\n") + 1));
    return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1].replace(/\/$/, ""));
}

const dirsOf = (dir: string) =>
    readdirSync(path.join(projectRoot(), dir)).filter((name) => statSync(path.join(projectRoot(), dir, name)).isDirectory());

describe("README layout", () => {
    it("names every source folder, each tier of components/ and the model's subfolders, and nothing that does not exist", () => {
        const listed = layoutPaths();
        const top = dirsOf(".").filter((d) => !d.startsWith(".") && d !== "node_modules");
        const expected = [
            "index.ts",
            ...top,
            ...dirsOf("components").map((d) => `components/${d}`),
            ...dirsOf("regions").map((d) => `regions/${d}`),
            "components/*.ts",
        ];
        assert.deepEqual([...listed].sort(), [...new Set(expected)].filter((p) => p !== "components").sort());
    });
});

describe("paths named in the docs and comments", () => {
    it("exist: every `folder/file.ts` a README, a doc or a source comment names is in the tree", () => {
        const root = projectRoot();
        const walk = (dir: string): string[] =>
            readdirSync(path.join(root, dir)).flatMap((name) => {
                const rel = path.join(dir, name);
                if ([".git", "node_modules", ".build", "fixtures"].includes(name)) return [];
                return statSync(path.join(root, rel)).isDirectory() ? walk(rel) : [rel];
            });
        const files = walk(".").filter((f) => /\.(md|ts)$/.test(f));
        const missing: string[] = [];
        for (const file of files) {
            const text = readFileSync(path.join(root, file), "utf8");
            for (const m of text.matchAll(
                /(?<![\w./-])((?:components|config|regions|stack|plan|policy|tools|test|bench|docs)\/[\w./-]*\w\.(?:ts|md|json|yaml))/g,
            )) {
                if (!statSync(path.join(root, m[1]), { throwIfNoEntry: false })) missing.push(`${file}: ${m[1]}`);
            }
        }
        assert.deepEqual(missing, []);
    });
});

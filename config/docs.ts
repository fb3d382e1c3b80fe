/**
 * The docs' tables of config keys, made from the schemas (their JSON Schema): key, meaning,
 * default and what is allowed, so that a default or a rule is written once, in its schema.
 * `npm run docs:config` writes them between `<!-- config:<name> -->` and `<!-- /config:<name> -->`
 * in README.md and the docs pages; a test fails when the committed docs differ.
 */
import { type JsonNode, jsonSchemaOf } from "./issues";
import { AWS_REGION_SCHEMA, NAMESPACE, PLATFORM_SCHEMA } from "./platform";

export interface DocTable {
    /** The marker's name: `<!-- config:compute -->`. */
    readonly name: string;
    /** The file it stands in, from the project folder. */
    readonly file: string;
    readonly markdown: string;
}

const HEADER = "| Key | Meaning | Default | Allowed |\n|---|---|---|---|";

/** Every generated table: the README's of the whole namespace, then one per section that has a docs page. */
export function configTables(): DocTable[] {
    const platform = jsonSchemaOf(PLATFORM_SCHEMA);
    const sections = Object.entries(platform.properties ?? {});
    const paged = sections.flatMap(([name, node]) =>
        node.page === undefined ? [] : [{ name, file: node.page, markdown: table(keyRows(node, "")) }],
    );
    return [{ name: "platform", file: "README.md", markdown: table(namespaceRows(platform)) }, ...paged];
}

/** `text` with each table between its markers replaced; throws when a table's markers are missing. */
export function withTables(text: string, tables: readonly DocTable[]): string {
    return tables.reduce((doc, { name, markdown }) => {
        const [open, close] = [`<!-- config:${name} -->`, `<!-- /config:${name} -->`];
        const start = doc.indexOf(open);
        const end = doc.indexOf(close);
        if (start < 0 || end < start) throw new Error(`no ${open} … ${close} markers to write the table between`);
        return `${doc.slice(0, start + open.length)}\n${markdown}\n${doc.slice(end)}`;
    }, text);
}

type Row = readonly [key: string, meaning: string, fallback: string, allowed: string];

function table(rows: readonly Row[]): string {
    return [HEADER, ...rows.map((cells) => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`)].join("\n");
}

/** `aws:region`, then each `platform:` key: a section with a docs page in one row, the others key by key. */
function namespaceRows(platform: JsonNode): Row[] {
    const region = jsonSchemaOf(AWS_REGION_SCHEMA);
    const rows: Row[] = [["`aws:region`", region.description ?? "", "required", allowedOf(region)]];
    for (const [name, node] of Object.entries(platform.properties ?? {})) {
        const key = `${NAMESPACE}:${name}`;
        const required = platform.required?.includes(name) ?? false;
        if (node.page !== undefined) {
            rows.push([`\`${key}\``, node.description ?? "", `see [${node.page}](${node.page})`, allowedOf(node)]);
        } else if (node.properties !== undefined) {
            rows.push(...keyRows(node, `${key}.`));
        } else if (node.items?.properties !== undefined) {
            rows.push(
                [`\`${key}\``, node.description ?? "", defaultOf(node, required), allowedOf(node)],
                ...keyRows(node.items, `${key}[].`),
            );
        } else {
            rows.push([`\`${key}\``, node.description ?? "", defaultOf(node, required), allowedOf(node)]);
        }
    }
    return rows;
}

/** One row per key of the map `node`, nested maps of settings flattened (`cache.nodeType`). */
function keyRows(node: JsonNode, prefix: string): Row[] {
    return Object.entries(node.properties ?? {}).flatMap(([name, child]): Row[] => {
        if (child.properties !== undefined) return keyRows(child, `${prefix}${name}.`);
        const required = node.required?.includes(name) ?? false;
        return [[`\`${prefix}${name}\``, child.description ?? "", defaultOf(child, required), allowedOf(child)]];
    });
}

function defaultOf(node: JsonNode, required: boolean): string {
    if (node.default !== undefined) return `\`${yaml(node.default)}\``;
    return node.fallback ?? (required ? "required" : "none");
}

function allowedOf(node: JsonNode): string {
    return [node.allowed, node.rule].filter((t) => t !== undefined).join("; ");
}

/** A default as it is written in a stack file (YAML flow style). */
function yaml(value: unknown): string {
    return Array.isArray(value) ? `[${value.map(yaml).join(", ")}]` : String(value);
}

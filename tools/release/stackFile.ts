/**
 * Edits of the stack file a release makes, comments and layout kept (the `yaml` library's
 * document model): a cell's pin set or removed, and at the end the stack-wide value set with
 * every pin of that key removed.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { type Document, type YAMLMap, type YAMLSeq, isMap, isSeq, parseDocument } from "yaml";
import { type PinKey } from "../../config/release";

const REGIONS = ["config", "platform:regions"];

/** Where the stack-wide value of each key lives, under `config:`. */
const STACK_WIDE_PATH: Readonly<Record<PinKey, readonly string[]>> = {
    image: ["platform:app", "image"],
    kubernetesVersion: ["platform:compute", "kubernetesVersion"],
    auroraEngineVersion: ["platform:data", "engineVersion"],
};

function load(file: string): Document {
    const doc = parseDocument(readFileSync(file, "utf8"));
    if (doc.errors.length > 0) throw new Error(`${file} is not valid YAML: ${doc.errors[0].message}`);
    return doc;
}

/** Written whole or not at all: an interrupt never leaves half a stack file. */
function save(file: string, doc: Document): void {
    const temporary = `${file}.release-tmp`;
    writeFileSync(temporary, doc.toString({ lineWidth: 0, flowCollectionPadding: false }));
    renameSync(temporary, file);
}

function entryOf(doc: Document, file: string, region: string): YAMLMap {
    const regions = doc.getIn(REGIONS);
    if (!isSeq(regions)) throw new Error(`${file}: config."platform:regions" is not a list`);
    const entry = (regions as YAMLSeq).items.find((item) => isMap(item) && item.get("name") === region);
    if (!entry) throw new Error(`${file}: no entry for ${region} in platform:regions`);
    return entry as YAMLMap;
}

/** Each cell's pin of `key` as the file has it (undefined: none), by region. */
export function readPins(file: string, key: PinKey, regions: readonly string[]): Record<string, string | undefined> {
    const doc = load(file);
    return Object.fromEntries(
        regions.map((region) => {
            const value = entryOf(doc, file, region).getIn(["pins", key]);
            return [region, value === undefined ? undefined : String(value)];
        }),
    );
}

/** The stack-wide value of `key` in the file, or undefined when the file leaves it to the default. */
export function readStackWide(file: string, key: PinKey): string | undefined {
    const value = load(file).getIn(["config", ...STACK_WIDE_PATH[key]]);
    return value === undefined ? undefined : String(value);
}

/** Sets (a string) or removes (undefined) the pin of `key` of each region given; an emptied `pins` goes too. */
export function writePins(file: string, key: PinKey, values: Readonly<Record<string, string | undefined>>): void {
    const doc = load(file);
    for (const [region, value] of Object.entries(values)) {
        const entry = entryOf(doc, file, region);
        if (value !== undefined) {
            if (!isMap(entry.get("pins", true))) entry.set("pins", doc.createNode({}, { flow: true }));
            entry.setIn(["pins", key], value);
        } else {
            const pins: unknown = entry.get("pins", true);
            if (!isMap(pins)) continue;
            pins.delete(key);
            if (pins.items.length === 0) entry.delete("pins");
        }
    }
    save(file, doc);
}

/** The release's end: `value` stack-wide, and no cell pins `key` any more. */
export function writeStackWide(file: string, key: PinKey, value: string, regions: readonly string[]): void {
    const doc = load(file);
    doc.setIn(["config", ...STACK_WIDE_PATH[key]], value);
    save(file, doc);
    writePins(file, key, Object.fromEntries(regions.map((r) => [r, undefined])));
}

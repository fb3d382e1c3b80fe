/**
 * The waves of a release: which cells take it together, in which order, and how long each wave
 * must stay healthy before the next starts. Pure: from the parsed stack only.
 */
import { type Stack } from "../../stack/parse";

export interface WaveCell {
    readonly region: string;
    readonly code: string;
    readonly primary: boolean;
    /** Users the cell carries with every region up (the capacity model's `normalUsers`). */
    readonly normalUsers: number;
    /** Drained, no Cloudflare pool: its health gate is its alarms only. */
    readonly decommissioning: boolean;
}

export interface Wave {
    /** 1-based, as printed. */
    readonly index: number;
    readonly cells: readonly WaveCell[];
    readonly bakeMinutes: number;
}

/**
 * The waves of `stack`: `platform:release.waves` when set; else the cell with the least traffic
 * alone (the canary), then the other secondaries together, then the primary (it holds the
 * Aurora writer, and writes from every region reach it). Ties go to the region name, so the
 * order never depends on config order. `emergency`: one wave with every cell.
 */
export function planWaves(stack: Stack, emergency = false): Wave[] {
    const { config, fleet } = stack;
    const cells: WaveCell[] = fleet.cells.map((c) => ({
        region: c.region,
        code: c.code,
        primary: c.primary,
        normalUsers: c.capacity.normalUsers,
        decommissioning: c.decommissioning,
    }));
    const byRegion = new Map(cells.map((c) => [c.region, c]));
    const { canaryBakeMinutes, bakeMinutes } = config.release;
    let groups: WaveCell[][];
    if (emergency) groups = [cells];
    else if (config.release.waves !== undefined) groups = config.release.waves.map((wave) => wave.map((region) => byRegion.get(region)!));
    else {
        const secondaries = cells
            .filter((c) => !c.primary)
            .sort((a, b) => a.normalUsers - b.normalUsers || a.region.localeCompare(b.region));
        groups = [secondaries.slice(0, 1), secondaries.slice(1), cells.filter((c) => c.primary)].filter((g) => g.length > 0);
    }
    return groups.map((group, i) => ({
        index: i + 1,
        cells: group,
        bakeMinutes: i === 0 && groups.length > 1 ? canaryBakeMinutes : bakeMinutes,
    }));
}

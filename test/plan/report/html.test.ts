/**
 * The HTML report in a real browser: Debian's chromium driven by playwright-core (`.ci/run`
 * installs it). The page must render the diagram with nothing fetched from the network, and
 * its tables must hold the plan's figures. Screenshots go to .build/screens/ to look at.
 */
import * as assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { type Browser, chromium } from "playwright-core";
import { type PlanRun } from "../../../plan/plan";
import { usd } from "../../../plan/report/costTable";
import { mermaidBundle, renderHtml } from "../../../plan/report/html";
import { projectRoot } from "../../../plan/stackConfig";
import { catalogRegions } from "../../../regions/catalog";
import { planOf, prodStack, withConfig } from "../../support/harness";

const SCREENS = path.join(projectRoot(), ".build", "screens");

interface Box {
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly text: string;
}

/** Eleven regions, the most an Aurora global database takes (one primary, ten secondaries). */
function elevenRegions() {
    const names = catalogRegions()
        .map((r) => r.name)
        .slice(0, 11);
    return withConfig(prodStack(), { "platform:regions": names.map((name, i) => (i === 0 ? { name, primary: true } : { name })) });
}

describe("the HTML report in Chromium", function () {
    let browser: Browser;
    let prod: PlanRun;
    const bundle = mermaidBundle();

    before(async () => {
        mkdirSync(SCREENS, { recursive: true });
        browser = await chromium.launch({
            executablePath: "/usr/bin/chromium",
            args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
        prod = await planOf(prodStack());
    });
    after(async () => {
        await browser?.close();
    });

    /** Opens the page of `run`, refusing (and counting) every request that is not the file itself. */
    async function open(run: PlanRun, name: string) {
        const file = path.join(SCREENS, `${name}.html`);
        writeFileSync(file, renderHtml({ plan: run.plan, stack: run, mermaidJs: bundle }));
        const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
        const fetched: string[] = [];
        await page.route("**/*", (route) => {
            const url = route.request().url();
            if (url === `file://${file}`) return route.continue();
            fetched.push(url);
            return route.abort();
        });
        await page.goto(`file://${file}`);
        await page.waitForSelector("body[data-diagram]", { timeout: 60000 });
        assert.equal(
            await page.getAttribute("body", "data-diagram"),
            "rendered",
            String(await page.getAttribute("body", "data-diagram-error")),
        );
        await page.screenshot({ path: path.join(SCREENS, `${name}.png`), fullPage: true });
        return { page, fetched };
    }

    const rowsOf = (page: import("playwright-core").Page, table: string) =>
        page.$$eval(`#${table} tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")));

    async function boxes(page: import("playwright-core").Page): Promise<Box[]> {
        return page.$$eval("#diagram svg g.node, #diagram svg g.edgeLabel", (els) =>
            els
                .map((el) => {
                    const r = el.getBoundingClientRect();
                    return { x: r.x, y: r.y, width: r.width, height: r.height, text: (el.textContent ?? "").trim() };
                })
                .filter((b) => b.width > 0 && b.height > 0 && b.text !== ""),
        );
    }

    function overlaps(list: readonly Box[]): string[] {
        const hits: string[] = [];
        for (let i = 0; i < list.length; i++)
            for (let j = i + 1; j < list.length; j++) {
                const a = list[i];
                const b = list[j];
                // 1 px of slack: touching borders are not an overlap a reader notices.
                if (a.x + 1 < b.x + b.width && b.x + 1 < a.x + a.width && a.y + 1 < b.y + b.height && b.y + 1 < a.y + a.height)
                    hits.push(`"${a.text}" / "${b.text}"`);
            }
        return hits;
    }

    it("renders prod's diagram offline and its tables hold the plan's figures", async () => {
        const { page, fetched } = await open(prod, "prod");
        assert.deepEqual(fetched, [], "the page fetched nothing");
        // users, the load balancer, and 5 boxes a cell (ALB, pods, proxy, Aurora, cache)
        const nodes = await page.$$eval("#diagram svg g.node", (els) => els.length);
        assert.equal(nodes, 2 + 5 * 3);
        const text = await page.textContent("#diagram svg");
        for (const c of prod.fleet.capacity.cells) assert.ok(text!.includes(`API pods ${c.pods.min}–${c.pods.max}`), c.code);
        assert.deepEqual(overlaps(await boxes(page)), []);

        const capacity = await rowsOf(page, "capacity");
        assert.deepEqual(capacity[0], ["us-east-1", "use1", "11,250", "18,750", "eu-central-1 down", "15/24", "9", "9/9", "4", "3"]);
        const cost = await rowsOf(page, "cost");
        // use1's hand-computed total (test/plan/cost/estimate.test.ts), no "*": us-east-1 has every figure.
        assert.deepEqual(cost[0], ["us-east-1", "use1", "$5,541.82", "$6,000.60"]);
        assert.deepEqual(cost[1].slice(0, 2), ["eu-central-1", "euc1"]);
        assert.match(cost[1][2], /\*$/, "eu-central-1 is priced at us-east-1 rates");
        // The note names the regions priced at us-east-1 rates (the snapshot has no figure for them).
        assert.match(
            (await page.textContent("#cost-note")) ?? "",
            /has no figure for the region: eu-central-1 \(\d+ of \d+ lines, \$[\d,.]+ of \$[\d,.]+ at minimum, \d+ %\), ap-southeast-1 \(\d+ of \d+ lines, \$[\d,.]+ of \$[\d,.]+ at minimum, \d+ %\)\. † rests on a price assumed, not read from a source \(plan\/cost\/prices\.ts says what it rests on\): Cloudflare Load Balancing, origins beyond 2 \(3 in all\)\.$/,
        );
        // The totals add eu-central-1's and ap-southeast-1's fallback lines (*) and the assumed Cloudflare origin price (†): marked, as in the text table.
        assert.deepEqual(cost.at(-2), ["Total", "", `${usd(prod.plan.cost.monthly.min)}*†`, `${usd(prod.plan.cost.monthly.worstCase)}*†`]);
        assert.deepEqual(cost.at(-1), [
            "Per 1,000 concurrent users",
            "",
            `${usd(prod.plan.cost.per1000Users.min)}*†`,
            `${usd(prod.plan.cost.per1000Users.worstCase)}*†`,
        ]);
        const steering = await rowsOf(page, "steering");
        assert.equal(steering.length, 13 + 2);
        assert.deepEqual(steering.at(-2), ["Writes, default", "us-east-1", "eu-central-1", "ap-southeast-1"]);
        const findings = await rowsOf(page, "findings");
        assert.equal(findings.length, prod.plan.policy.violations.length);
        const recovery = await rowsOf(page, "recovery");
        assert.deepEqual(
            recovery.map((r) => r.slice(0, 3)),
            prod.plan.recovery.rows.map((r) => [r.failure, `${r.rpoSeconds} s`, `${r.rtoSeconds} s`]),
        );
        assert.deepEqual(recovery[2].slice(0, 3), ["unplanned region failover", "30 s", "300 s"]);
        await page.close();
    });

    it("renders 11 regions with no box or label over another", async () => {
        const run = await planOf(elevenRegions());
        assert.equal(run.fleet.cells.length, 11);
        const { page, fetched } = await open(run, "eleven-regions");
        assert.deepEqual(fetched, []);
        assert.equal(await page.$$eval("#diagram svg g.node", (els) => els.length), 2 + 5 * 11);
        assert.deepEqual(overlaps(await boxes(page)), []);
        assert.equal((await rowsOf(page, "cost")).filter((r) => /^[a-z]{2}-[a-z]+-\d$/.test(r[0])).length, 11);
        await page.close();
    });
});

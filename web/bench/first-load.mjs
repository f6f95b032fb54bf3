// `make bench`: the join page's first load, in the budget the patient's phone pays for. Opens a
// link in Chromium RUNS times (fresh context, no cache, 4x CPU slowdown), sums the gzipped
// JavaScript and CSS it loaded before the camera preview settled, and the time from navigation
// to that preview; writes the table into docs/benchmarks.md and fails past a budget.
import { readFile, writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { BASE, launch, scheduleVisit, sendLink } from "../tests/harness.mjs";

const RUNS = Number(process.env.RUNS ?? 9);
const BUDGET_KB = 60;
const BUDGET_MS = 1000;
const TABLE = process.env.FIRST_LOAD_TABLE;

const browser = await launch();
const bytes = new Map();
const times = [];
for (let run = 0; run < RUNS; run += 1) {
  const link = await sendLink(await scheduleVisit(5));
  const context = await browser.newContext({ permissions: ["camera", "microphone"] });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  page.on("response", async (response) => {
    const type = response.request().resourceType();
    if (type === "script" || type === "stylesheet") {
      const body = await response.body().catch(() => null);
      if (body) bytes.set(new URL(response.url()).pathname, gzipSync(body, { level: 9 }).length);
    }
  });
  await page.goto(BASE + link);
  await page.locator("#devices[data-devices]").waitFor();
  times.push(await page.evaluate(() => performance.getEntriesByName("devices-settled")[0].startTime));
  await context.close();
}
await browser.close();

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const totalKb = [...bytes.values()].reduce((sum, n) => sum + n, 0) / 1024;
const ms = median(times);
const files = [...bytes].map(([path, n]) => `${path} ${(n / 1024).toFixed(1)} KB`).join(", ");
const table = [
  "| measure | value | budget |",
  "|---|---|---|",
  `| JavaScript and CSS loaded before the preview, gzipped | ${totalKb.toFixed(1)} KB (${files}) | ${BUDGET_KB} KB |`,
  `| navigation to the camera preview, 4x CPU slowdown, median of ${RUNS} | ${ms.toFixed(0)} ms (${Math.min(...times).toFixed(0)}–${Math.max(...times).toFixed(0)}) | ${BUDGET_MS} ms |`,
].join("\n");
console.log(table);
if (TABLE) {
  const doc = await readFile(TABLE, "utf8");
  const [before, rest] = doc.split("<!-- first-load:begin -->");
  const after = rest.split("<!-- first-load:end -->")[1];
  await writeFile(TABLE, `${before}<!-- first-load:begin -->\n${table}\n<!-- first-load:end -->${after}`);
}
if (totalKb > BUDGET_KB || ms > BUDGET_MS) {
  console.error(`first-load: over budget (${totalKb.toFixed(1)} KB of ${BUDGET_KB}, ${ms.toFixed(0)} ms of ${BUDGET_MS})`);
  process.exit(1);
}

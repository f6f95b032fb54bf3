// What the browser tests share: Chromium with a fake camera and microphone, the demo server's
// API (tokens, outbox, clock) for setting the scene, axe-core, and the checks every page gets.
import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

export const BASE = process.env.BASE_URL ?? "http://127.0.0.1:3001";
const require = createRequire(import.meta.url);
const axeSource = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");

const launchOptions = {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--use-fake-device-for-media-stream",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ],
};

/** Chromium, started once more should it crash while starting (seen once, on a loaded machine). */
export async function launch() {
  try {
    return await chromium.launch(launchOptions);
  } catch (error) {
    console.error(`chromium did not start, starting it again: ${error.message.split("\n")[0]}`);
    return chromium.launch(launchOptions);
  }
}

/**
 * A person's browser: its own context (cookies, storage), camera and microphone allowed unless
 * `media: false`. Console lines and every request URL are kept for the secrets check.
 */
export async function person(browser, { media = true } = {}) {
  const context = await browser.newContext({
    permissions: media ? ["camera", "microphone"] : [],
    viewport: { width: 1100, height: 900 },
  });
  const page = await context.newPage();
  const seen = { console: [], urls: [], errors: [] };
  page.on("console", (message) => seen.console.push(message.text()));
  page.on("pageerror", (error) => seen.errors.push(String(error)));
  page.on("request", (request) => seen.urls.push(request.url()));
  return { context, page, seen };
}

/** The API as the clinic's side uses it in the scenes below. */
export async function api(path, options = {}) {
  return apiAt(BASE, path, options);
}

/** The same, on the server at `base` (a test that started its own). */
export async function apiAt(base, path, { method = "GET", token, body, headers = {} } = {}) {
  const response = await fetch(base + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export const tokens = async () => (await api("/dev/tokens")).body;

/** A visit `minutesAhead` from the demo clock, with the patient's contact; returns it. */
export async function scheduleVisit(minutesAhead, { provider = "chime", email = `p${Date.now()}@example.com` } = {}) {
  const t = await tokens();
  const now = (await api("/dev/clock")).body.now;
  const scheduledAt = new Date(new Date(now).getTime() + minutesAhead * 60000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const visit = await api("/visits", {
    method: "POST",
    token: t.clinician,
    body: { patientId: t.subs.patient, scheduledAt, durationMinutes: 30, provider, timeZone: "America/New_York", patientContact: { email } },
  });
  assert.equal(visit.status, 201, JSON.stringify(visit.body));
  return { ...visit.body, email };
}

/** Sends the visit's patient a link and returns the path the message carries (/j/{code}). */
export async function sendLink(visit) {
  const t = await tokens();
  const sent = await api(`/visits/${visit.visitId}/notify`, { method: "POST", token: t.clinician, body: { channels: ["email"] } });
  assert.equal(sent.status, 202, JSON.stringify(sent.body));
  return latestLink(visit.email);
}

/** The /j/{code} path of the newest message to `to` in the outbox. */
export async function latestLink(to) {
  const { messages } = (await api("/dev/outbox")).body;
  const mine = messages.filter((message) => message.to === to);
  const link = /\/j\/[A-Z0-9]+/.exec(mine.at(-1)?.body ?? "")?.[0];
  assert.ok(link, `no link was sent to ${to}`);
  return link;
}

export async function messagesTo(to) {
  return (await api("/dev/outbox")).body.messages.filter((message) => message.to === to);
}

/** axe-core on the page as it is: no serious or critical WCAG 2.1 A/AA violation. */
export async function assertAccessible(page, what) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await globalThis.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return result.violations
      .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
      .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
  });
  assert.deepEqual(violations, [], `${what}: accessibility violations`);
}

/** No token in any URL the page asked for, in its console or in localStorage. */
export async function assertNoSecrets({ page, seen }, secrets) {
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  for (const secret of secrets.filter(Boolean)) {
    assert.ok(!seen.urls.some((url) => url.includes(secret)), "a token is in a URL");
    assert.ok(!seen.console.some((line) => line.includes(secret)), "a token is in the console");
    assert.ok(!stored.includes(secret), "a token is in localStorage");
  }
  assert.equal(stored, "{}", "the pages keep nothing in localStorage");
  assert.deepEqual(seen.errors, [], "the page threw");
}

/** The join token the page holds (sessionStorage), to check it never travels elsewhere. */
export const joinTokenOf = (page) => page.evaluate(() => sessionStorage.getItem("visit.joinToken"));

/** The README's pictures, when SCREENSHOTS_DIR is set (make screenshots). */
export async function screenshot(page, name) {
  const dir = process.env.SCREENSHOTS_DIR;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}

/** Signs in to the portal or desk with a demo account. */
export async function signInAs(page, app, email) {
  await page.goto(`${BASE}/${app}`);
  await page.getByRole("button", { name: `Sign in as ${email}` }).click();
}

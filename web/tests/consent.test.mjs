// A clinic that has set telehealth terms: the join page says so before joining, asks for them
// when the API answers 409 consent-required, sends the answer (PUT /join/session/consent) and
// lets the patient into the waiting room. Runs its own server with TELEHEALTH_TERMS_VERSION set.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { after, before, test } from "node:test";
import { apiAt, assertAccessible, launch, person } from "./harness.mjs";

let browser;
let server;
let base;

/** A free port on loopback. */
const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

before(async () => {
  assert.ok(process.env.LOCAL_SERVER, "run through .ci/browser, which names the local server's binary");
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(process.env.LOCAL_SERVER, [], {
    env: { ...process.env, PORT: String(port), WEB_DIR: process.env.WEB_DIR, TELEHEALTH_TERMS_VERSION: "2026-11" },
    stdio: "ignore",
  });
  for (let tries = 0; tries < 100; tries += 1) {
    try {
      if ((await fetch(`${base}/dev/tokens`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.kill();
});

test("the clinic's telehealth terms are accepted on the join page before the waiting room", async () => {
  const t = (await apiAt(base, "/dev/tokens")).body;
  const now = (await apiAt(base, "/dev/clock")).body.now;
  const scheduledAt = new Date(new Date(now).getTime() + 5 * 60000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const email = `terms.${Date.now()}@example.com`;
  const visit = await apiAt(base, "/visits", {
    method: "POST",
    token: t.clinician,
    body: { patientId: t.subs.patient, scheduledAt, durationMinutes: 30, patientContact: { email } },
  });
  assert.equal(visit.status, 201, JSON.stringify(visit.body));
  const sent = await apiAt(base, `/visits/${visit.body.visitId}/notify`, { method: "POST", token: t.clinician, body: { channels: ["email"] } });
  assert.equal(sent.status, 202);
  const { messages } = (await apiAt(base, "/dev/outbox")).body;
  const link = /\/j\/[A-Z0-9]+/.exec(messages.filter((m) => m.to === email).at(-1).body)[0];

  const patient = await person(browser);
  await patient.page.goto(base + link);
  assert.match(await patient.page.locator("#terms-note").innerText(), /version 2026-11/);
  await patient.page.getByRole("button", { name: /Join/ }).click();
  await patient.page.locator('#stage[data-state="consent"]').waitFor();
  const accept = patient.page.getByRole("button", { name: "Accept and join" });
  assert.ok(await accept.isDisabled(), "not before the terms are ticked");
  await assertAccessible(patient.page, "the consent questions");
  await patient.page.getByLabel(/telehealth terms \(version 2026-11\)/).check();
  await patient.page.getByLabel("The visit may be recorded.").check();
  await accept.click();
  await patient.page.locator('#stage[data-state="waiting"]').waitFor();

  // The desk shows the clinician what the patient agreed to.
  const desk = await person(browser);
  await desk.page.goto(`${base}/desk`);
  await desk.page.getByRole("button", { name: "Sign in as dr@demo.health" }).click();
  await desk.page.locator(`li[data-visit-id="${visit.body.visitId}"]`).getByRole("button", { name: /Open/ }).click();
  const row = desk.page.locator("#consents tbody tr", { hasText: "Patient" });
  // Reading cells does not wait: the row first, as the desk shows it once the visit has loaded.
  await row.waitFor();
  assert.deepEqual(await row.locator("td").allInnerTexts(), ["Patient", "2026-11", "Yes", "No"]);
  await assertAccessible(desk.page, "the desk with consents");
  await desk.context.close();

  const staff = await apiAt(base, `/visits/${visit.body.visitId}`, { token: t.clinician });
  const word = staff.body.consents.find((consent) => consent.participant === "patient");
  assert.deepEqual(
    [word.telehealthTerms, word.recording, word.transcription],
    ["2026-11", true, false],
    "the API kept what the patient ticked",
  );
  await patient.context.close();
});

// The waiting room after the patient has joined it: a cancelled visit closes it, and it stops
// asking.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { BASE, api, assertAccessible, launch, person, scheduleVisit, sendLink, tokens } from "./harness.mjs";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test("a cancelled visit stops the waiting room, which stops asking", async () => {
  const visit = await scheduleVisit(5);
  const patient = await person(browser);
  await patient.page.goto(BASE + (await sendLink(visit)));
  await patient.page.getByRole("button", { name: /Join/ }).click();
  await patient.page.locator('#stage[data-state="waiting"]').waitFor();
  const cancelled = await api(`/visits/${visit.visitId}/cancel`, { method: "POST", token: (await tokens()).clinician });
  assert.equal(cancelled.status, 200);
  await patient.page.locator("#closed").getByText("This visit was cancelled").waitFor({ timeout: 15000 });
  const asked = patient.seen.urls.filter((url) => url.endsWith("/join/session")).length;
  await patient.page.waitForTimeout(6000);
  assert.equal(patient.seen.urls.filter((url) => url.endsWith("/join/session")).length, asked, "no polling after 410");
  await assertAccessible(patient.page, "a closed visit");
  await patient.context.close();
});

// The portal and the desk on their own: the portal's list, calendar file and join; the desk's
// guests, whose names are text, never markup.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import { BASE, api, assertAccessible, assertNoSecrets, launch, person, scheduleVisit, signInAs, tokens } from "./harness.mjs";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test("the portal lists the patient's visits and joins one", async () => {
  const visit = await scheduleVisit(5);
  const patient = await person(browser);
  await signInAs(patient.page, "portal", "patient@demo.health");
  const item = patient.page.locator(`li[data-visit-id="${visit.visitId}"]`);
  await item.waitFor();
  assert.match(await item.locator(".when").innerText(), /EST/);
  const [download] = await Promise.all([
    patient.page.waitForEvent("download"),
    item.getByRole("link", { name: "Add to calendar" }).click(),
  ]);
  const calendar = await readFile(await download.path(), "utf8");
  assert.match(calendar, new RegExp(`UID:${visit.visitId}\r\n`));
  assert.match(calendar, new RegExp(`URL:${BASE}/portal/visits/${visit.visitId}\r\n`), "the portal, never a one-time link");
  await assertAccessible(patient.page, "the portal");

  await item.getByRole("button", { name: "Join this visit" }).click();
  await patient.page.locator('#stage[data-state="waiting"]').waitFor();
  const started = await api(`/visits/${visit.visitId}/session`, { method: "POST", token: (await tokens()).clinician });
  assert.equal(started.status, 200);
  await patient.page.locator('#stage[data-state="in-call"]').waitFor({ timeout: 15000 });
  await assertNoSecrets(patient, [(await tokens()).patient]);
  await patient.context.close();
});

test("the desk invites and removes a guest; a typed name shows as text", async () => {
  const visit = await scheduleVisit(30);
  const desk = await person(browser);
  await signInAs(desk.page, "desk", "dr@demo.health");
  await desk.page.locator(`li[data-visit-id="${visit.visitId}"]`).getByRole("button", { name: /Open/ }).click();
  const name = "<img src=x onerror=alert(1)>";
  await desk.page.getByLabel("Role").selectOption("caregiver");
  await desk.page.getByLabel(/^Name shown/).fill(name);
  await desk.page.getByLabel("Email or mobile number").fill("+447911123456");
  await desk.page.getByRole("button", { name: "Send invitation" }).click();
  const guest = desk.page.locator("#guests .guest-name");
  await guest.waitFor();
  assert.equal(await guest.innerText(), `${name} (caregiver)`, "the characters, as typed");
  assert.equal(await desk.page.locator("#guests img").count(), 0, "never markup");
  await assertAccessible(desk.page, "the desk with a guest");

  await desk.page.getByRole("button", { name: /^Remove/ }).click();
  await desk.page.getByText("No guests.").waitFor();
  const read = await api(`/visits/${visit.visitId}`, { token: (await tokens()).clinician });
  assert.deepEqual(read.body.guests ?? [], [], "the guest is gone (DELETE)");
  await assertNoSecrets(desk, [(await tokens()).clinician]);
  await desk.context.close();
});

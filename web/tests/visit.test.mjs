// A visit in three browsers: the patient opens the link, checks devices, joins and waits; the
// clinician on the desk sees them waiting, starts, invites an interpreter who joins from their
// own link; the clinician ends it and the patient's and the interpreter's pages say so.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  BASE, assertAccessible, assertNoSecrets, joinTokenOf, latestLink, launch, person, scheduleVisit, screenshot, sendLink,
  signInAs, tokens,
} from "./harness.mjs";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test("a visit from the link to the end, on the join page and the desk", async () => {
  const visit = await scheduleVisit(5);
  const link = await sendLink(visit);

  const patient = await person(browser);
  await patient.page.goto(BASE + link);
  await patient.page.locator("#visit .when").waitFor();
  assert.match(await patient.page.locator("#visit .when").innerText(), /EST/, "the visit's own zone");
  await patient.page.locator('#devices[data-devices="ready"]').waitFor();
  assert.ok((await patient.page.locator("#camera-select option").count()) >= 1, "the fake camera is offered");
  await assertAccessible(patient.page, "the join page");
  await screenshot(patient.page, "join-page");

  await patient.page.getByRole("button", { name: /Join/ }).click();
  await patient.page.locator('#stage[data-state="waiting"]').waitFor();
  assert.equal(new URL(patient.page.url()).pathname, "/j/", "the spent code leaves the address bar");
  const joinToken = await joinTokenOf(patient.page);
  assert.ok(joinToken, "the join token is kept in the tab");
  await assertAccessible(patient.page, "the waiting room");
  await screenshot(patient.page, "waiting-room");

  const desk = await person(browser);
  await signInAs(desk.page, "desk", "dr@demo.health");
  const row = desk.page.locator(`li[data-visit-id="${visit.visitId}"]`);
  await row.getByText("Patient waiting since").waitFor();
  await assertAccessible(desk.page, "the desk");
  await row.getByRole("button", { name: /Open/ }).click();
  await desk.page.getByRole("button", { name: "Start the visit" }).click();
  await desk.page.locator('#stage[data-state="in-call"]').waitFor();

  await patient.page.locator('#stage[data-state="in-call"]').waitFor({ timeout: 15000 });
  await patient.page.getByText("Your clinician").waitFor();
  await assertAccessible(patient.page, "the patient in the visit");

  const interpreterEmail = `ines.${Date.now()}@example.com`;
  await desk.page.getByLabel("Role").selectOption("interpreter");
  await desk.page.getByLabel("Email or mobile number").fill(interpreterEmail);
  await desk.page.getByRole("button", { name: "Send invitation" }).click();
  await desk.page.locator("#guests").getByText("interpreter").waitFor();

  const interpreter = await person(browser);
  await interpreter.page.goto(BASE + (await latestLink(interpreterEmail)));
  await interpreter.page.getByRole("button", { name: /Join/ }).click();
  await interpreter.page.locator('#stage[data-state="in-call"]').waitFor({ timeout: 15000 });

  // The desk learns who is present from the visit's attendance (demo mode's video reports it).
  await desk.page.locator(".present").getByText("The patient").waitFor({ timeout: 15000 });
  await assertAccessible(desk.page, "the desk in the visit");
  await screenshot(desk.page, "desk");

  await desk.page.getByRole("button", { name: "End the visit" }).click();
  await desk.page.locator("#attendance").waitFor({ timeout: 10000 });
  for (const page of [patient.page, interpreter.page]) {
    await page.locator("#closed").getByText("This visit has ended").waitFor({ timeout: 15000 });
  }
  const clinicianToken = (await tokens()).clinician;
  await assertNoSecrets(patient, [joinToken]);
  await assertNoSecrets(interpreter, []);
  await assertNoSecrets(desk, [clinicianToken]);
  for (const person of [patient, interpreter, desk]) await person.context.close();
});

test("a Connect visit: the patient joins through its WebRTC connection data, the desk points to Connect", async () => {
  const visit = await scheduleVisit(5, { provider: "connect" });
  const patient = await person(browser);
  await patient.page.goto(BASE + (await sendLink(visit)));
  await patient.page.getByRole("button", { name: /Join/ }).click();
  await patient.page.locator('#stage[data-state="waiting"]').waitFor();

  const desk = await person(browser);
  await signInAs(desk.page, "desk", "dr@demo.health");
  await desk.page.locator(`li[data-visit-id="${visit.visitId}"]`).getByRole("button", { name: /Open/ }).click();
  await desk.page.getByRole("button", { name: "Start the visit" }).click();
  await desk.page.locator("#connect").getByText("Connect agent workspace").waitFor();

  await patient.page.locator('#stage[data-state="in-call"][data-room="demo"]').waitFor({ timeout: 15000 });
  await assertNoSecrets(patient, [await joinTokenOf(patient.page)]);
  for (const person of [patient, desk]) await person.context.close();
});


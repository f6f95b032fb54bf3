// The join page before the waiting room: a link that is early, one that is used up (and the
// fresh one it asks for), a camera the person refused.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { BASE, api, assertAccessible, latestLink, launch, person, scheduleVisit, sendLink } from "./harness.mjs";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test("an early link says when it opens and is not used up", async () => {
  const visit = await scheduleVisit(120);
  const link = await sendLink(visit);
  const patient = await person(browser);
  await patient.page.goto(BASE + link);
  await patient.page.locator("#opens").getByText("You can join from").waitFor();
  await patient.page.getByRole("button", { name: /Join/ }).click();
  await patient.page.locator("#early").getByText("opens for joining at").waitFor();
  const preview = await api(`/join/${link.split("/").pop()}`);
  assert.equal(preview.body.status, "active", "a too-early try leaves the link usable");
  await assertAccessible(patient.page, "an early link");
  await patient.context.close();
});

test("a used link offers a new one, which arrives and works", async () => {
  const visit = await scheduleVisit(5);
  const link = await sendLink(visit);
  assert.equal((await api(`/join/${link.split("/").pop()}`, { method: "POST" })).status, 200);
  const sentBefore = (await api("/dev/outbox")).body.messages.filter((m) => m.to === visit.email).length;

  const patient = await person(browser);
  await patient.page.goto(BASE + link);
  await patient.page.getByRole("heading", { name: "This link can't be used" }).waitFor();
  await assertAccessible(patient.page, "a used link");
  await patient.page.getByRole("button", { name: "Send me a new link" }).click();
  await patient.page.locator("#resent").waitFor();
  const sent = (await api("/dev/outbox")).body.messages.filter((m) => m.to === visit.email);
  assert.equal(sent.length, sentBefore + 1, "a fresh link went to the contact on file");
  const fresh = await latestLink(visit.email);
  assert.notEqual(fresh, link);
  await patient.page.goto(BASE + fresh);
  await patient.page.getByRole("button", { name: /Join/ }).click();
  await patient.page.locator('#stage[data-state="waiting"]').waitFor();
  await patient.context.close();
});

test("a refused camera gets plain guidance, and joining still works", async () => {
  const visit = await scheduleVisit(5);
  const patient = await person(browser, { media: false });
  await patient.page.goto(BASE + (await sendLink(visit)));
  await patient.page.locator('#devices[data-devices="refused"]').waitFor();
  assert.match(await patient.page.locator("#device-guidance").innerText(), /blocked the camera and microphone/);
  await assertAccessible(patient.page, "a refused camera");
  await patient.page.getByRole("button", { name: /Join/ }).click();
  await patient.page.locator('#stage[data-state="waiting"]').waitFor();
  await patient.context.close();
});

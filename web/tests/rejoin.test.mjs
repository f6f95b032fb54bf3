// A dropped connection in a visit rejoins with the join token the page has, not the used link
// (a file of its own: its waits run beside the others').
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { BASE, api, launch, person, scheduleVisit, sendLink, tokens } from "./harness.mjs";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test("a dropped connection rejoins with the same join token", async () => {
  const visit = await scheduleVisit(5);
  const link = await sendLink(visit);
  const patient = await person(browser);
  await patient.page.goto(BASE + link);
  await patient.page.getByRole("button", { name: /Join/ }).click();
  await patient.page.locator('#stage[data-state="waiting"]').waitFor();
  const started = await api(`/visits/${visit.visitId}/session`, { method: "POST", token: (await tokens()).clinician });
  assert.equal(started.status, 200);
  await patient.page.locator('#stage[data-state="in-call"]').waitFor({ timeout: 15000 });

  await patient.context.setOffline(true);
  await patient.page.locator('#stage[data-state="reconnecting"]').waitFor({ timeout: 15000 });
  await patient.context.setOffline(false);
  await patient.page.locator('#stage[data-state="in-call"]').waitFor({ timeout: 20000 });
  const redeems = patient.seen.urls.filter((url) => url.endsWith(link.replace("/j/", "/join/")));
  assert.equal(redeems.length, 2, "one preview and one redemption: the rejoin used the join token");
  await patient.context.close();
});

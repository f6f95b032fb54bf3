// Recording and transcription from the desk: the clinician gives their own consent, is told who
// in the room has not agreed, transcribes, records, and reads the transcript and the recording's
// download link back. The patient answers through the API (the join page's questions are tested
// in consent.test.mjs).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  api, assertAccessible, assertNoSecrets, launch, person, scheduleVisit, screenshot, sendLink, signInAs, tokens,
} from "./harness.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("the desk records and transcribes only with everyone's consent", async () => {
  const t = await tokens();
  const visit = await scheduleVisit(5);
  const code = (await sendLink(visit)).split("/").pop();
  const join = (await api(`/join/${code}`, { method: "POST" })).body.joinToken;
  const patientSays = async (recording, transcription) => {
    const said = await api("/join/session/consent", { method: "PUT", token: join, body: { recording, transcription } });
    assert.equal(said.status, 200, JSON.stringify(said.body));
  };
  await patientSays(false, true);

  const desk = await person(browser);
  await signInAs(desk.page, "desk", "dr@demo.health");
  await desk.page.locator(`li[data-visit-id="${visit.visitId}"]`).getByRole("button", { name: /Open/ }).click();
  await desk.page.getByRole("button", { name: "Start the visit" }).click();
  await desk.page.locator('#stage[data-state="in-call"]').waitFor();
  assert.equal((await api("/join/session", { method: "POST", token: join })).status, 200, "the patient takes their seat");

  // Nobody agreed to a recording but the clinician... and not even they yet.
  const status = desk.page.locator("#capture-status");
  await desk.page.getByRole("button", { name: "Start recording" }).click();
  await status.getByText("Not everyone in the room has agreed to a recording: You, Patient.").waitFor();
  await desk.page.getByLabel("I agree to this visit being recorded.").check();
  await desk.page.getByLabel("I agree to this visit being transcribed.").check();
  await desk.page.getByRole("button", { name: "Save your consent" }).click();
  await status.getByText("Your consent is saved.").waitFor();
  await desk.page.getByRole("button", { name: "Start recording" }).click();
  await status.getByText("Not everyone in the room has agreed to a recording: Patient.").waitFor();
  await assertAccessible(desk.page, "the desk's recording controls");

  // A transcript: everyone agreed.
  await desk.page.getByRole("button", { name: "Start transcript" }).click();
  await status.getByText("Started a transcript.").waitFor();
  await desk.page.getByRole("button", { name: "Stop transcript" }).click();
  await status.getByText(/Stopped a transcript/).waitFor();
  await desk.page.getByRole("button", { name: "Show transcript" }).click();
  const lines = desk.page.locator("#transcript li");
  await lines.first().waitFor();
  const said = await lines.allInnerTexts();
  assert.ok(said.some((line) => line.startsWith("You (")) && said.some((line) => line.startsWith("Patient (")), said.join("\n"));

  // The patient agrees to a recording too: recorded, stopped, and its link downloads.
  await patientSays(true, true);
  await desk.page.getByRole("button", { name: "Start recording" }).click();
  await status.getByText("Started a recording.").waitFor();
  await desk.page.getByRole("button", { name: "Stop recording" }).click();
  await status.getByText(/Stopped a recording/).waitFor();
  await desk.page.getByRole("button", { name: "Show recordings" }).click();
  const link = desk.page.getByRole("link", { name: "Download recording 1" });
  await link.waitFor();
  const file = await desk.page.request.get(await link.getAttribute("href"));
  assert.equal(file.status(), 200);
  assert.ok((await file.body()).subarray(0, 4).equals(Buffer.from("RIFF")), "demo mode's recording is a WAV");
  await assertAccessible(desk.page, "the desk with the recordings and transcript");
  await screenshot(desk.page, "desk-recording");

  // Each read is in the patient's access log; the desk's refresh reads none of them.
  const log = await api(`/patients/${t.subs.patient}/access-log?limit=200`, { token: t.admin });
  const reads = log.body.items.filter((item) => item.resource.startsWith(`visits/${visit.visitId}/`) && item.resource !== `visits/${visit.visitId}/session`);
  assert.deepEqual(
    reads.map((item) => `${item.action} ${item.resource.split("/").slice(2, 3)}`).sort(),
    ["download recordings", "read recordings", "read transcript"],
  );
  await assertNoSecrets(desk, [t.clinician]);
  await desk.context.close();
});

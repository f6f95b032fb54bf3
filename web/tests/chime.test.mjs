// A real meeting's path, as far as it goes offline: when the session names Chime's own hosts,
// the join page loads the Chime SDK (its own chunk, only now) and starts a meeting session with
// the devices chosen, which dials Chime's signalling (unreachable here) and keeps trying. No CSP
// violation and no page error on the way.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { BASE, api, joinTokenOf, launch, person, scheduleVisit, sendLink, tokens } from "./harness.mjs";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

async function until(check, what, ms = 10_000) {
  for (let waited = 0; waited < ms && !check(); waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(check(), what);
}

/** Chime's real hosts in place of demo mode's `.invalid` ones. */
function onChime(meeting) {
  const id = meeting.MeetingId;
  meeting.MediaPlacement = {
    AudioHostUrl: `${id}.k.m1.ue1.app.chime.aws:3478`,
    AudioFallbackUrl: `wss://haxrp.m1.ue1.app.chime.aws:443/calls/${id}`,
    SignalingUrl: `wss://signal.m1.ue1.app.chime.aws/control/${id}`,
    TurnControlUrl: "https://2713.cell.us-east-1.meetings.chime.aws/v2/turn_sessions",
    EventIngestionUrl: "https://data.svc.ue1.ingest.chime.aws/v1/client-events",
  };
}

test("a Chime session loads the SDK only on joining and starts a meeting session under the site's CSP", async () => {
  const visit = await scheduleVisit(5);
  const link = await sendLink(visit);
  const started = await api(`/visits/${visit.visitId}/session`, { method: "POST", token: (await tokens()).clinician });
  assert.equal(started.status, 200);

  const patient = await person(browser);
  const scripts = [];
  patient.page.on("response", async (response) => {
    if (response.request().resourceType() === "script") scripts.push({ url: response.url(), bytes: (await response.body()).length });
  });
  let sessions = 0;
  const bearers = new Set();
  await patient.page.route("**/join/session", async (route) => {
    bearers.add(route.request().headers().authorization);
    const response = await route.fetch();
    const body = await response.json();
    if (response.status() === 200) {
      sessions += 1;
      onChime(body.meeting);
    }
    await route.fulfill({ response, json: body });
  });
  await patient.page.goto(BASE + link);
  await patient.page.locator('#devices[data-devices="ready"]').waitFor();
  const beforeJoin = scripts.reduce((sum, script) => sum + script.bytes, 0);
  assert.ok(beforeJoin < 100_000, `the first load holds no SDK (${beforeJoin} bytes)`);

  await patient.page.getByRole("button", { name: /Join/ }).click();
  await patient.page.locator('#stage[data-state="in-call"]').waitFor({ timeout: 15000 });
  // The SDK's meeting session started (a failure to start it would never set this).
  await patient.page.locator('#stage[data-room="chime"]').waitFor({ timeout: 15000 });
  await until(() => scripts.some((script) => script.bytes > 500_000), "the Chime SDK's chunk loaded on joining");
  // Offline, Chime's signalling cannot answer: the SDK keeps reconnecting by itself (for up to
  // its reconnect timeout, 2 minutes, before the page enters again), and the person stays in the
  // call meanwhile.
  await until(() => patient.seen.console.some((line) => line.includes("wss://signal.m1.ue1.app.chime.aws")), "the SDK dials Chime's signalling");
  await patient.page.waitForTimeout(3000);
  assert.equal(await patient.page.locator("#stage").getAttribute("data-state"), "in-call");
  assert.equal(sessions, 1);
  assert.deepEqual([...bearers], [`Bearer ${await joinTokenOf(patient.page)}`], "the join token, and only it");
  const csp = patient.seen.console.filter((line) => /Content Security Policy/i.test(line));
  assert.deepEqual(csp, [], "nothing the SDK does is refused by the site's CSP");
  assert.deepEqual(patient.seen.errors, [], "no page error");
  await patient.context.close();
});

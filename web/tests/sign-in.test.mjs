// The portal's sign-in as deployed: Cognito's hosted UI, authorization code with PKCE. A stand-in
// for the hosted UI (routed in the browser) checks what a real one checks: the client, the
// redirect, the state coming back, and that the verifier hashes to the challenge; its token is a
// demo patient's, which the demo API accepts.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";
import { BASE, assertNoSecrets, launch, person, scheduleVisit, tokens } from "./harness.mjs";

const HOSTED_UI = "auth.clinic.example";
const CLIENT_ID = "portal-client-id";

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

const base64url = (bytes) => Buffer.from(bytes).toString("base64url");

test("the portal signs in on the hosted UI with PKCE and keeps the token out of the address bar", async () => {
  const visit = await scheduleVisit(60);
  const patientToken = (await tokens()).patient;
  const patient = await person(browser);
  const page = patient.page;
  let challenge;
  let codeExchanged = false;

  // The page as `make deploy-web` writes it: its config in a meta tag, the hosted UI in connect-src.
  await page.route(`${BASE}/portal**`, async (route) => {
    const response = await route.fetch();
    const config = JSON.stringify({ apiBaseUrl: BASE, signIn: { kind: "cognito", domain: HOSTED_UI, clientId: CLIENT_ID } });
    const html = (await response.text()).replace(
      '<meta name="referrer"',
      `<meta name="visits-config" content="${config.replaceAll('"', "&quot;")}">\n<meta name="referrer"`,
    );
    const headers = response.headers();
    headers["content-security-policy"] = headers["content-security-policy"].replace("connect-src 'self'", `connect-src 'self' https://${HOSTED_UI}`);
    await route.fulfill({ response, body: html, headers });
  });
  await page.route(`https://${HOSTED_UI}/oauth2/authorize**`, async (route) => {
    const query = new URL(route.request().url()).searchParams;
    assert.equal(query.get("client_id"), CLIENT_ID);
    assert.equal(query.get("response_type"), "code");
    assert.equal(query.get("code_challenge_method"), "S256");
    assert.equal(query.get("redirect_uri"), `${BASE}/portal`);
    challenge = query.get("code_challenge");
    const back = `${BASE}/portal?code=one-time-code&state=${encodeURIComponent(query.get("state"))}`;
    // A page that sends the browser back (a redirect's second request would not be routed).
    await route.fulfill({ contentType: "text/html", body: `<meta http-equiv="refresh" content="0;url=${back}">` });
  });
  await page.route(`https://${HOSTED_UI}/oauth2/token`, async (route) => {
    const form = new URLSearchParams(route.request().postData() ?? "");
    assert.equal(form.get("grant_type"), "authorization_code");
    assert.equal(form.get("code"), "one-time-code");
    assert.equal(form.get("client_id"), CLIENT_ID);
    assert.equal(base64url(createHash("sha256").update(form.get("code_verifier")).digest()), challenge, "the verifier matches the challenge");
    codeExchanged = true;
    await route.fulfill({
      status: 200,
      headers: { "content-type": "application/json", "access-control-allow-origin": BASE },
      body: JSON.stringify({ access_token: patientToken, token_type: "Bearer", expires_in: 3600 }),
    });
  });

  await page.goto(`${BASE}/portal`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator(`li[data-visit-id="${visit.visitId}"]`).waitFor();
  assert.ok(codeExchanged);
  assert.equal(page.url(), `${BASE}/portal`, "the code leaves the address bar");
  await assertNoSecrets(patient, [patientToken]);
  await patient.context.close();
});

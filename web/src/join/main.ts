// The join page (/j/{code}), for the patient and for guests. Opening it only previews the link;
// the Join button redeems it. The join token stays in this tab (sessionStorage), never in the
// address bar or localStorage, so a reload or a dropped call enters again with it.
import { ApiError, call, enter } from "../api/client";
import type { Entry, LinkPreview, Redeemed } from "../api/types";
import { DeviceCheck } from "../call/devices";
import { VisitFlow } from "../call/visit-flow";
import { loadConfig } from "../config";
import { askConsent } from "./consent";
import { announce, button, byId, h, show, sleep } from "../ui/dom";
import { clockTime, visitTime } from "../ui/time";

const TOKEN_KEY = "visit.joinToken";

const visitPanel = byId("visit");
const stage = byId("stage");
const devicesPanel = byId("devices");
let devices: DeviceCheck | null = null;

async function main(): Promise<void> {
  loadConfig();
  const code = /^\/j\/([^/]+)\/?$/.exec(location.pathname)?.[1];
  const stored = sessionStorage.getItem(TOKEN_KEY);
  if (code) {
    // The camera starts beside the preview: it is most of the wait (stopped if the link is not usable).
    devices = new DeviceCheck(devicesPanel);
    void devices.start();
    return preview(decodeURIComponent(code));
  }
  if (stored) return enterVisit(stored);
  show(stage, h("p", {}, "Open the link from your text message or email to join your visit."));
}

async function preview(code: string): Promise<void> {
  let link: LinkPreview;
  try {
    ({ body: link } = await call<LinkPreview>(`/join/${encodeURIComponent(code)}`));
  } catch (error) {
    devices?.close();
    return refused(code, error);
  }
  show(
    visitPanel,
    h("p", { class: "when" }, visitTime(link.scheduledAt, link.timeZone)),
    h("p", {}, `${link.durationMinutes} minutes, by video`),
    link.telehealthTerms
      ? h("p", { id: "terms-note" }, `Before you join, you will be asked to accept the clinic's telehealth terms (version ${link.telehealthTerms}).`)
      : null,
  );
  if (link.status !== "active") return unavailable(code);
  const opens = new Date(link.opensAt);
  const joinButton = button("Join the visit", () => void redeem(code, link, joinButton), { id: "join", class: "primary" });
  show(
    stage,
    opens > new Date() ? h("p", { id: "opens" }, `You can join from ${clockTime(link.opensAt, link.timeZone)}.`) : null,
    joinButton,
  );
}

async function redeem(code: string, link: LinkPreview, joinButton: HTMLButtonElement): Promise<void> {
  joinButton.disabled = true;
  try {
    const { body } = await call<Redeemed>(`/join/${encodeURIComponent(code)}`, { method: "POST" });
    sessionStorage.setItem(TOKEN_KEY, body.joinToken);
    // The code is spent: it leaves the address bar and the history.
    history.replaceState(null, "", "/j/");
    return enterVisit(body.joinToken);
  } catch (error) {
    if (error instanceof ApiError && error.status === 409 && typeof error.body.opensAt === "string") {
      return early(code, link, joinButton, error.body.opensAt, String(error.body.closesAt ?? ""));
    }
    return refused(code, error);
  }
}

/** Too early: say when, and try again by itself then (the link is not used up). */
async function early(code: string, link: LinkPreview, joinButton: HTMLButtonElement, opensAt: string, closesAt: string): Promise<void> {
  if (closesAt && new Date(closesAt) < new Date()) {
    show(stage, h("p", { id: "closed" }, "The time to join this visit has passed. Contact the clinic to arrange another."));
    announce("The time to join this visit has passed.");
    return;
  }
  const message = `This visit opens for joining at ${clockTime(opensAt, link.timeZone)}. Keep this page open: it will let you in then.`;
  show(stage, h("p", { id: "early" }, message), joinButton);
  announce(message);
  const wait = Math.max(new Date(opensAt).getTime() - Date.now(), 0);
  await sleep(Math.min(wait + 1000, 30000));
  return redeem(code, link, joinButton);
}

function enterVisit(joinToken: string): Promise<void> {
  devices ??= new DeviceCheck(devicesPanel);
  if (!devices.stream) void devices.start();
  const flow = new VisitFlow(stage, devices, {
    enter: () => enterWithConsent(joinToken),
    describe: (ids) => ids.map((id) => (id.startsWith("gst_") ? "A guest" : "Your clinician or another participant")),
    demoOthers: () => ["Your clinician"],
    closed: (message) => finish(message),
  });
  return flow.run();
}

/** `POST /join/session`; when the clinic's terms must be accepted first, asks, says so, and enters. */
async function enterWithConsent(joinToken: string): Promise<Entry> {
  try {
    return await enter("/join/session", joinToken);
  } catch (error) {
    if (!(error instanceof ApiError) || error.kind !== "consent-required") throw error;
    const choice = await askConsent(stage, String(error.body.telehealthTerms ?? ""));
    await call("/join/session/consent", { method: "PUT", bearer: joinToken, body: choice });
    return enter("/join/session", joinToken);
  }
}

function finish(message: string): void {
  sessionStorage.removeItem(TOKEN_KEY);
  devices?.stop();
  stage.dataset.state = "closed";
  show(stage, h("h2", {}, "Visit closed"), h("p", { id: "closed" }, message));
  announce(message);
}

function refused(code: string, error: unknown): void {
  if (error instanceof ApiError && error.status === 429) {
    const minutes = Math.ceil((error.retryAfterSeconds ?? 900) / 60);
    const message = `Too many tries from this connection. Try again in ${minutes} minutes.`;
    show(stage, h("p", { id: "refused" }, message));
    announce(message);
    return;
  }
  if (error instanceof ApiError && (error.status === 404 || error.status === 410)) return unavailable(code);
  const message = "We could not reach the clinic's service. Check your connection and try again.";
  show(stage, h("p", { id: "refused" }, message), button("Try again", () => void preview(code), { id: "retry" }));
  announce(message);
}

/** Used, expired, revoked or unknown: one message for all, and a way to get a fresh link. */
function unavailable(code: string): void {
  devices?.close();
  const sendButton = button("Send me a new link", () => void resend(code, sendButton), { id: "resend", class: "primary" });
  show(
    stage,
    h("h2", {}, "This link can't be used"),
    h("p", { id: "refused" }, "It may have been used already, replaced by a newer link, or expired."),
    sendButton,
  );
  announce("This link can't be used. You can ask for a new one.");
}

async function resend(code: string, sendButton: HTMLButtonElement): Promise<void> {
  sendButton.disabled = true;
  try {
    await call(`/join/${encodeURIComponent(code)}/resend`, { method: "POST" });
    const message =
      "If your visit is still coming up, a new link is on its way to the phone or email the clinic has for you.";
    show(stage, h("h2", {}, "New link requested"), h("p", { id: "resent" }, message));
    announce(message);
  } catch (error) {
    sendButton.disabled = false;
    refused(code, error);
  }
}

void main();

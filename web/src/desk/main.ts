// The clinician desk (/desk): the day's visits, who is waiting, start, the video, guests,
// consent, recording and transcript, end, and the attendance afterwards. Everything through the
// public API with the clinician's token.
import { ApiError, call, enter } from "../api/client";
import type { Attendance, Visit, VisitPage } from "../api/types";
import { signIn, signOut, type SignedIn } from "../auth/sign-in";
import { DeviceCheck } from "../call/devices";
import { VisitFlow } from "../call/visit-flow";
import { loadConfig } from "../config";
import { announce, button, byId, h, show, sleep } from "../ui/dom";
import { clockTime, visitTime } from "../ui/time";
import { CaptureControls } from "./captures";
import { participantName } from "./names";

const account = byId("account");
const day = byId("day");
const panel = byId("visit");
const stage = byId("stage");
const devicesPanel = byId("devices");

/** How often the day's list is asked again: who is waiting changes by itself. */
const REFRESH_MS = 3000;

let user: SignedIn;
let selected: Visit | null = null;
let flow: VisitFlow | null = null;
/** The open visit's recording controls, kept across refreshes (what they show stays). */
let captures: CaptureControls | null = null;
const waitingAnnounced = new Set<string>();

async function main(): Promise<void> {
  const config = loadConfig();
  user = await signIn(stage, config.signIn, [
    { key: "clinician", email: "dr@demo.health" },
    { key: "clinician2", email: "dr2@demo.health" },
    { key: "admin", email: "admin@demo.health" },
  ]);
  show(stage);
  show(account, button("Sign out", () => {
    signOut();
    location.assign("/desk");
  }, { id: "sign-out" }));
  for (;;) {
    await refresh();
    await sleep(REFRESH_MS);
  }
}

async function refresh(): Promise<void> {
  try {
    const { body } = await call<VisitPage>("/visits?when=upcoming&limit=50", { bearer: user.token });
    showDay(body.items);
    if (selected) {
      const { body: visit } = await call<Visit>(`/visits/${selected.visitId}`, { bearer: user.token });
      showVisit(visit);
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      signOut();
      location.assign("/desk");
    }
  }
}

function waiting(visit: Visit): boolean {
  return Boolean(visit.patientCheckedInAt) && !visit.sessionStartedAt && visit.status === "scheduled";
}

function showDay(visits: Visit[]): void {
  const rows = visits.map((visit) => {
    if (waiting(visit) && !waitingAnnounced.has(visit.visitId)) {
      waitingAnnounced.add(visit.visitId);
      announce(`A patient is waiting for the visit at ${clockTime(visit.scheduledAt, visit.timeZone)}.`);
    }
    return h(
      "li",
      { class: waiting(visit) ? "visit waiting" : "visit", "data-visit-id": visit.visitId },
      h("p", { class: "when" }, visitTime(visit.scheduledAt, visit.timeZone)),
      h("p", {}, `Patient ${visit.patientId} · ${visit.durationMinutes} minutes · ${visit.status.replace("_", " ")}`),
      waiting(visit)
        ? h("p", { class: "badge" }, `Patient waiting since ${clockTime(visit.patientCheckedInAt ?? "", visit.timeZone)}`)
        : null,
      button("Open", () => void open(visit), { "aria-label": `Open the visit at ${visitTime(visit.scheduledAt, visit.timeZone)}` }),
    );
  });
  show(day, h("h2", {}, "Upcoming visits"), rows.length ? h("ul", { class: "visit-list" }, ...rows) : h("p", {}, "No upcoming visits."));
}

async function open(visit: Visit): Promise<void> {
  selected = visit;
  const { body } = await call<Visit>(`/visits/${visit.visitId}`, { bearer: user.token });
  showVisit(body);
  panel.querySelector("h2")?.focus();
}

function showVisit(visit: Visit): void {
  selected = visit;
  const live = visit.status === "scheduled" || visit.status === "in_progress";
  // The invite form keeps what is being typed while the panel refreshes.
  const form = panel.querySelector<HTMLFormElement>("form#invite") ?? inviteForm();
  if (captures?.visitId !== visit.visitId) captures = new CaptureControls(visit, user.token);
  captures.update(visit);
  show(
    panel,
    h("h2", { tabindex: "-1" }, `Visit at ${visitTime(visit.scheduledAt, visit.timeZone)}`),
    h("p", { id: "visit-status" }, `Status: ${visit.status.replace("_", " ")}`),
    waiting(visit) ? h("p", { class: "badge" }, "The patient is waiting.") : null,
    live && !flow ? button(visit.sessionStartedAt ? "Rejoin the visit" : "Start the visit", () => void start(visit), { class: "primary", id: "start" }) : null,
    live && flow ? button("End the visit", () => void end(visit), { class: "danger", id: "end" }) : null,
    h("h3", {}, "Guests"),
    guestList(visit),
    live && visit.provider === "chime" ? form : null,
    visit.consents?.length ? consentTable(visit) : null,
    visit.provider === "chime" && visit.sessionStartedAt ? captures.element : null,
    visit.attendance?.length ? attendanceTable(visit) : null,
  );
}

/** What each participant agreed to, so the clinician knows before asking to record. */
function consentTable(visit: Visit): HTMLElement {
  const who = (participant: string) => participantName(visit, participant);
  const yes = (agreed: boolean) => (agreed ? "Yes" : "No");
  return h(
    "table",
    { id: "consents" },
    h("caption", {}, "Consent"),
    h("thead", {}, h("tr", {}, ...["Participant", "Terms", "Recording", "Transcription"].map((label) => h("th", { scope: "col" }, label)))),
    h("tbody", {}, ...(visit.consents ?? []).map((consent) => h("tr", {},
      h("td", {}, who(consent.participant)), h("td", {}, consent.telehealthTerms ?? "—"),
      h("td", {}, yes(consent.recording)), h("td", {}, yes(consent.transcription))))),
  );
}

function guestList(visit: Visit): HTMLElement {
  const guests = visit.guests ?? [];
  if (!guests.length) return h("p", {}, "No guests.");
  return h(
    "ul",
    { id: "guests" },
    ...guests.map((guest) => {
      const name = guest.displayName ? `${guest.displayName} (${guest.role})` : guest.role;
      return h(
        "li",
        {},
        h("span", { class: "guest-name" }, name),
        guest.joinedAt ? ` · joined ${clockTime(guest.joinedAt, visit.timeZone)}` : "",
        " ",
        button("Remove", () => void removeGuest(visit, guest.guestId), { "aria-label": `Remove ${name}` }),
      );
    }),
  );
}

function inviteForm(): HTMLFormElement {
  const role = h("select", { id: "guest-role", name: "role" },
    h("option", { value: "interpreter" }, "Interpreter"), h("option", { value: "caregiver" }, "Caregiver"));
  const name = h("input", { id: "guest-name", name: "displayName", autocomplete: "off" });
  const contact = h("input", { id: "guest-contact", name: "contact", required: true, autocomplete: "off", "aria-describedby": "guest-contact-hint" });
  const error = h("p", { id: "invite-error", role: "alert" });
  const form = h(
    "form",
    { id: "invite" },
    h("h3", {}, "Invite a guest"),
    h("label", { for: "guest-role" }, "Role"), role,
    h("label", { for: "guest-name" }, "Name shown to the clinician (optional)"), name,
    h("label", { for: "guest-contact" }, "Email or mobile number"), contact,
    h("p", { id: "guest-contact-hint", class: "hint" }, "A mobile number in international form, such as +447911123456."),
    error,
    h("button", { type: "submit" }, "Send invitation"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!selected) return;
    const value = contact.value.trim();
    const body: Record<string, unknown> = {
      role: role.value,
      contact: value.startsWith("+") ? { phone: value } : { email: value },
    };
    if (name.value.trim()) body.displayName = name.value.trim();
    void invite(selected, body, form, error);
  });
  return form;
}

async function invite(visit: Visit, body: Record<string, unknown>, form: HTMLFormElement, error: HTMLElement): Promise<void> {
  error.textContent = "";
  try {
    await call(`/visits/${visit.visitId}/guests`, {
      method: "POST",
      bearer: user.token,
      body,
      headers: { "idempotency-key": crypto.randomUUID() },
    });
    form.reset();
    announce("The guest was invited and sent their own link.");
    await refresh();
  } catch (failure) {
    error.textContent = failure instanceof ApiError ? failure.detail || failure.title : "The invitation was not sent.";
  }
}

async function removeGuest(visit: Visit, guestId: string): Promise<void> {
  try {
    await call(`/visits/${visit.visitId}/guests/${guestId}`, { method: "DELETE", bearer: user.token });
    announce("The guest was removed.");
  } catch (failure) {
    announce(failure instanceof ApiError ? failure.detail || failure.title : "The guest was not removed.");
  }
  await refresh();
}

/** Who the visit's attendance says is in the meeting now, named as the desk names them. */
function present(visit: Visit | null): string[] {
  const guests = new Map((visit?.guests ?? []).map((guest) => [`guest:${guest.guestId}`, guest]));
  return (visit?.attendance ?? [])
    .filter((entry) => entry.participant !== "clinician" && entry.firstJoinedAt && !entry.lastLeftAt)
    .map((entry) => {
      if (entry.participant === "patient") return "The patient";
      const guest = guests.get(entry.participant);
      return guest ? `${guest.displayName ?? "A guest"} (${guest.role})` : "A guest";
    });
}

async function start(visit: Visit): Promise<void> {
  if (visit.provider === "connect") return startConnect(visit);
  const devices = new DeviceCheck(devicesPanel);
  await devices.start();
  flow = new VisitFlow(stage, devices, {
    enter: () => enter(`/visits/${visit.visitId}/session`, user.token),
    describe: (ids) => ids.map((id) => (id === visit.patientId ? "The patient" : id.startsWith("gst_") ? "A guest" : "A participant")),
    demoOthers: () => present(selected),
    closed: (message) => {
      devices.stop();
      flow = null;
      say("closed", message);
    },
  });
  void flow.run().then(() => {
    flow = null;
    devices.stop();
  });
  await refresh();
}

/** A Connect visit reaches the clinician as a contact in their Connect agent workspace, not here. */
async function startConnect(visit: Visit): Promise<void> {
  if (!(await post(`/visits/${visit.visitId}/session`, "The visit was not started."))) return;
  say("connect", "The visit has started on Amazon Connect: take the contact in your Connect agent workspace (its screen-pop names the visit).");
  await refresh();
}

async function end(visit: Visit): Promise<void> {
  if (!(await post(`/visits/${visit.visitId}/end`, "The visit was not ended."))) return;
  flow?.stop();
  flow = null;
  say("closed", "You ended the visit.");
  await refresh();
}

/** A POST as the clinician; a refusal is announced (the API's words, or `failed`). */
async function post(path: string, failed: string): Promise<boolean> {
  try {
    await call(path, { method: "POST", bearer: user.token });
    return true;
  } catch (failure) {
    announce(failure instanceof ApiError ? failure.detail || failure.title : failed);
    return false;
  }
}

/** Shows and announces what happened to the call. */
function say(id: string, message: string): void {
  show(stage, h("p", { id }, message));
  announce(message);
}

function attendanceTable(visit: Visit): HTMLElement {
  const rows: Attendance[] = visit.attendance ?? [];
  const time = (iso?: string) => (iso ? clockTime(iso, visit.timeZone) : "—");
  return h(
    "table",
    { id: "attendance" },
    h("caption", {}, "Attendance"),
    h("thead", {}, h("tr", {}, ...["Participant", "First joined", "Last left", "Minutes"].map((label) => h("th", { scope: "col" }, label)))),
    h("tbody", {}, ...rows.map((row) => h("tr", {},
      h("td", {}, participantName(visit, row.participant)), h("td", {}, time(row.firstJoinedAt)), h("td", {}, time(row.lastLeftAt)), h("td", {}, String(row.minutesPresent))))),
  );
}

void main();

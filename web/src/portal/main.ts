// The patient portal (/portal): sign in, upcoming and past visits in their own local time, the
// calendar file, and joining an upcoming visit (POST /visits/{id}/session as the patient).
import { ApiError, call, enter } from "../api/client";
import type { Visit, VisitPage } from "../api/types";
import { current, signIn, signOut, type SignedIn } from "../auth/sign-in";
import { DeviceCheck } from "../call/devices";
import { VisitFlow } from "../call/visit-flow";
import { loadConfig } from "../config";
import { announce, button, byId, h, show } from "../ui/dom";
import { calendarFile } from "../ui/calendar";
import { visitTime } from "../ui/time";

const account = byId("account");
const stage = byId("stage");
const devicesPanel = byId("devices");
const lists = byId("visits");

const STATUS_LABEL: Record<Visit["status"], string> = {
  scheduled: "Scheduled",
  in_progress: "In progress",
  completed: "Completed",
  cancelled: "Cancelled",
  no_show: "Missed",
};

async function main(): Promise<void> {
  const config = loadConfig();
  const user = await signIn(stage, config.signIn, [
    { key: "patient", email: "patient@demo.health" },
    { key: "patient2", email: "patient2@demo.health" },
  ]);
  show(account, button("Sign out", () => {
    signOut();
    location.assign("/portal");
  }, { id: "sign-out" }));
  show(stage);
  await listVisits(user);
}

async function listVisits(user: SignedIn): Promise<void> {
  try {
    const [upcoming, past] = await Promise.all([
      call<VisitPage>("/visits?when=upcoming&limit=50", { bearer: user.token }),
      call<VisitPage>("/visits?when=past&limit=20", { bearer: user.token }),
    ]);
    // A visit named in the address (the calendar file's link) comes first.
    const named = /^\/portal\/visits\/([^/]+)/.exec(location.pathname)?.[1];
    const first = (items: Visit[]) => [...items].sort((a, b) => Number(b.visitId === named) - Number(a.visitId === named));
    show(
      lists,
      section("Upcoming visits", first(upcoming.body.items), user, true),
      section("Past visits", first(past.body.items), user, false),
    );
    announce(`${upcoming.body.items.length} upcoming visits.`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      signOut();
      location.assign("/portal");
      return;
    }
    show(lists, h("p", { role: "alert" }, "Your visits could not be loaded. Try again in a moment."));
  }
}

function section(title: string, visits: Visit[], user: SignedIn, upcoming: boolean): HTMLElement {
  const items = visits.map((visit) => {
    const open = upcoming && (visit.status === "scheduled" || visit.status === "in_progress");
    const ics = URL.createObjectURL(calendarFile(visit, `${location.origin}/portal/visits/${visit.visitId}`));
    return h(
      "li",
      { class: "visit", "data-visit-id": visit.visitId },
      h("p", { class: "when" }, visitTime(visit.scheduledAt, visit.timeZone)),
      h("p", {}, `${visit.durationMinutes} minutes · ${STATUS_LABEL[visit.status]}`),
      h("div", { class: "actions" },
        open ? button("Join this visit", () => void join(visit, user), { class: "primary" }) : null,
        open ? h("a", { href: ics, download: "visit.ics" }, "Add to calendar") : null),
    );
  });
  return h(
    "section",
    { "aria-label": title },
    h("h2", {}, title),
    items.length ? h("ul", { class: "visit-list" }, ...items) : h("p", {}, "None."),
  );
}

async function join(visit: Visit, user: SignedIn): Promise<void> {
  lists.hidden = true;
  const devices = new DeviceCheck(devicesPanel);
  void devices.start();
  const flow = new VisitFlow(stage, devices, {
    enter: () => enter(`/visits/${encodeURIComponent(visit.visitId)}/session`, current()?.token ?? user.token),
    describe: (ids) => ids.map((id) => (id.startsWith("gst_") ? "A guest" : id === visit.clinicianId ? "Your clinician" : "A participant")),
    demoOthers: () => ["Your clinician"],
    closed: (message) => {
      devices.stop();
      stage.dataset.state = "closed";
      show(stage, h("h2", {}, "Visit closed"), h("p", { id: "closed" }, message),
        button("Back to my visits", () => location.reload()));
      announce(message);
    },
  });
  await flow.run();
}

void main();

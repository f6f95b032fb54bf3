// Entering a visit, for the join page and the portal alike: the waiting room (following
// Retry-After), the call, a dropped connection that enters again with the same token, and the
// visit's end. Stops asking as soon as the API says the visit is closed.
import { ApiError } from "../api/client";
import type { Entry, Session } from "../api/types";
import { announce, button, h, show, sleep } from "../ui/dom";
import type { DeviceCheck } from "./devices";
import { openRoom, type Room } from "./room";

export interface FlowOptions {
  /** `POST /join/session` or `POST /visits/{id}/session`. */
  enter(): Promise<Entry>;
  /** Who else is in the visit, named for people, from external user ids. */
  describe(externalUserIds: string[]): string[];
  /** Whom a demo meeting shows as present (it has no media server to say so). */
  demoOthers(): string[];
  /** The visit is over or the token is gone: the page shows its own ending. */
  closed(message: string): void;
}

/** How a call ended for this page: "stopped" by the page itself, which says why. */
type Outcome = "ended" | "left" | "dropped" | "stopped";

/** How often a demo meeting asks whether the visit still runs (a real one hears it from Chime). */
const DEMO_CHECK_MS = 4000;

export class VisitFlow {
  private room: Room | null = null;
  /** Ends the call in progress, if any. */
  private settle: ((outcome: Outcome) => void) | null = null;
  private stopped = false;
  private muted = false;
  private cameraOn = true;

  constructor(
    private readonly root: HTMLElement,
    private readonly devices: DeviceCheck,
    private readonly options: FlowOptions,
  ) {}

  /** Waits, then joins; returns when the visit is over for this page. */
  async run(): Promise<void> {
    let failures = 0;
    let drops = 0;
    while (!this.stopped) {
      let entry: Entry;
      try {
        entry = await this.options.enter();
        failures = 0;
      } catch (error) {
        if (this.endFor(error)) return;
        failures += 1;
        this.showReconnecting();
        await sleep(Math.min(1000 * 2 ** failures, 15000));
        continue;
      }
      if (entry.kind === "waiting") {
        drops = 0;
        this.showWaiting();
        await sleep(entry.retryAfterSeconds * 1000);
        continue;
      }
      const outcome = await this.inCall(entry.session);
      if (outcome !== "dropped") return;
      // Back in with the same token, after a pause that grows while the drops go on.
      drops += 1;
      await sleep(Math.min(1000 * 2 ** drops, 15000));
    }
  }

  /** Stops asking and leaves the call, showing nothing: the page says what happened. */
  stop(): void {
    this.stopped = true;
    this.settle?.("stopped");
    this.room?.leave();
    this.room = null;
  }

  /** A closed visit or a token that no longer works ends the flow; anything else is retried. */
  private endFor(error: unknown): boolean {
    if (!(error instanceof ApiError) || error.isNetwork || error.status >= 500 || error.status === 429) return false;
    this.stop();
    if (error.status === 410 && error.kind === "visit-closed") {
      this.options.closed(closedMessage(String(error.body.visitStatus ?? "")));
    } else if (error.status === 401) {
      this.options.closed("This link was replaced by a newer one, or it has run out. Use the newest link you were sent.");
    } else {
      this.options.closed(error.detail || error.title);
    }
    return true;
  }

  private showWaiting(): void {
    if (this.root.dataset.state === "waiting") return;
    this.root.dataset.state = "waiting";
    show(
      this.root,
      h("h2", {}, "Waiting room"),
      h("p", {}, "You are checked in. Your clinician will start the visit shortly; this page lets you in by itself."),
      h("p", { class: "hint" }, "Keep this page open. You do not need to refresh it."),
    );
    announce("You are in the waiting room. Your clinician will start the visit shortly.");
  }

  private showReconnecting(): void {
    this.root.dataset.state = "reconnecting";
    show(this.root, h("h2", {}, "Reconnecting"), h("p", {}, "The connection was lost. Trying again…"));
    announce("The connection was lost. Reconnecting.");
  }

  /** In the meeting until it ends ("ended"), the person leaves ("left") or the line drops ("dropped"). */
  private async inCall(session: Session): Promise<Outcome> {
    const local = h("video", { autoplay: true, playsinline: true, "aria-label": "Your video" });
    local.muted = true;
    const remotes = h("div", { class: "remotes" });
    const audio = h("audio", { autoplay: true });
    const present = h("ul", { class: "present", "aria-label": "In the visit" });
    let settle: (outcome: Outcome) => void = () => {};
    const done = new Promise<Outcome>((resolve) => (settle = resolve));
    this.settle = settle;

    const muteButton = button(this.muted ? "Unmute" : "Mute", () => {
      this.muted = !this.muted;
      this.room?.mute(this.muted);
      muteButton.textContent = this.muted ? "Unmute" : "Mute";
      muteButton.setAttribute("aria-pressed", String(this.muted));
      announce(this.muted ? "Your microphone is muted." : "Your microphone is on.");
    }, { "aria-pressed": String(this.muted), id: "mute" });
    const cameraButton = button(this.cameraOn ? "Turn camera off" : "Turn camera on", () => {
      this.cameraOn = !this.cameraOn;
      void this.room?.camera(this.cameraOn);
      cameraButton.textContent = this.cameraOn ? "Turn camera off" : "Turn camera on";
      announce(this.cameraOn ? "Your camera is on." : "Your camera is off.");
    }, { id: "camera" });
    const leaveButton = button("Leave", () => settle("left"), { id: "leave", class: "danger" });

    this.root.dataset.state = "in-call";
    show(
      this.root,
      h("h2", {}, "In the visit"),
      h("div", { class: "tiles" }, h("figure", { class: "tile" }, local, h("figcaption", {}, "You")), remotes),
      audio,
      h("h3", {}, "Also here"),
      present,
      h("div", { class: "controls" }, muteButton, cameraButton, leaveButton),
    );
    const setPresent = (names: string[]) =>
      show(present, ...(names.length ? names.map((name) => h("li", {}, name)) : [h("li", {}, "Nobody else yet")]));
    setPresent([]);

    try {
      this.room = await openRoom(session, this.devices.choice, this.devices.stream, { local, remotes, audio }, {
        ended: (reason) => {
          this.options.closed(
            reason === "ended" ? closedMessage("completed")
              : reason === "removed" ? "You were removed from the visit."
              : "You joined this visit from another device or tab.",
          );
          settle("ended");
        },
        dropped: () => settle("dropped"),
        presence: (ids) => setPresent(this.options.describe(ids)),
      });
    } catch {
      settle("dropped");
    }
    if (this.room) this.root.dataset.room = this.room.demo ? "demo" : "chime";
    this.room?.mute(this.muted);
    if (!this.cameraOn) void this.room?.camera(false);
    announce("You are in the visit.");
    if (this.room?.demo) {
      setPresent(this.options.demoOthers());
      void this.watchDemo(() => settle("ended"), () => settle("dropped"), () => setPresent(this.options.demoOthers()), done);
    }

    const outcome = await done;
    this.settle = null;
    this.room?.leave();
    this.room = null;
    if (outcome === "ended" || outcome === "stopped") {
      this.stopped = true;
    } else if (outcome === "left") {
      this.stopped = true;
      this.showLeft();
    } else {
      this.showReconnecting();
    }
    return outcome;
  }

  /** A demo meeting has no media server to say it ended: ask the API, as a waiting page does. */
  private async watchDemo(ended: () => void, dropped: () => void, refresh: () => void, done: Promise<unknown>): Promise<void> {
    let over = false;
    void done.then(() => (over = true));
    while (!over) {
      await sleep(DEMO_CHECK_MS);
      if (over) return;
      try {
        await this.options.enter();
        refresh();
      } catch (error) {
        if (over) return;
        if (this.endFor(error)) return ended();
        return dropped();
      }
    }
  }

  private showLeft(): void {
    this.root.dataset.state = "left";
    show(
      this.root,
      h("h2", {}, "You left the visit"),
      h("p", {}, "You can go back in while the visit lasts."),
      button("Rejoin the visit", () => {
        this.stopped = false;
        void this.run();
      }, { id: "rejoin" }),
    );
    announce("You left the visit.");
  }
}

export function closedMessage(visitStatus: string): string {
  switch (visitStatus) {
    case "cancelled":
      return "This visit was cancelled. The clinic will contact you to arrange another.";
    case "no_show":
      return "The time to join this visit has passed. Contact the clinic to arrange another.";
    default:
      return "This visit has ended. You can close this page.";
  }
}

// Recording and transcription on the desk: start and stop them (the API refuses while anyone in
// the room has not agreed, and names who), and, when asked, the recordings' download links and
// the transcript. Each of those reads is in the patient's access log, so the desk reads them only
// when the clinician asks, never on its refresh.
import { ApiError, call } from "../api/client";
import type { Recording, Transcript, Visit } from "../api/types";
import { announce, button, h, show } from "../ui/dom";
import { clockTime } from "../ui/time";
import { participantName } from "./names";

type Capture = "recording" | "transcription";

const LABELS: Record<Capture, { start: string; stop: string; noun: string }> = {
  recording: { start: "Start recording", stop: "Stop recording", noun: "a recording" },
  transcription: { start: "Start transcript", stop: "Stop transcript", noun: "a transcript" },
};

export class CaptureControls {
  readonly element: HTMLElement;
  private readonly buttons: HTMLElement;
  private readonly status: HTMLElement;
  private readonly output: HTMLElement;
  /** What this desk started and has not seen stop. A capture may stop by itself: the API says so when asked to stop it. */
  private readonly running = new Set<Capture>();
  private visit: Visit;

  constructor(
    visit: Visit,
    private readonly token: string,
  ) {
    this.visit = visit;
    this.buttons = h("div", { class: "actions" });
    this.status = h("p", { id: "capture-status", role: "status" });
    this.output = h("div", { id: "capture-output" });
    this.element = h(
      "section",
      { id: "captures", "aria-labelledby": "captures-title" },
      h("h3", { id: "captures-title" }, "Recording and transcript"),
      this.consentForm(),
      this.buttons,
      this.status,
      this.output,
    );
  }

  get visitId(): string {
    return this.visit.visitId;
  }

  /** The buttons for the visit as it is now; what was shown stays. */
  update(visit: Visit): void {
    this.visit = visit;
    const live = visit.status === "in_progress" && visit.provider === "chime";
    if (!live) this.running.clear();
    const toggles = live
      ? (["recording", "transcription"] as Capture[]).map((capture) => {
          const on = this.running.has(capture);
          const label = on ? LABELS[capture].stop : LABELS[capture].start;
          return button(label, () => void this.toggle(capture), { id: `${capture}-toggle`, "aria-pressed": on ? "true" : "false" });
        })
      : [];
    const reads = visit.sessionStartedAt
      ? [button("Show recordings", () => void this.showRecordings(), { id: "show-recordings" }),
         button("Show transcript", () => void this.showTranscript(), { id: "show-transcript" })]
      : [];
    show(this.buttons, ...toggles, ...reads);
  }

  /** The clinician's own word (PUT /visits/{id}/consent), as the API last kept it. */
  private consentForm(): HTMLFormElement {
    const mine = (this.visit.consents ?? []).find((consent) => consent.participant === "clinician");
    const box = (id: string, label: string, checked: boolean) => {
      const input = h("input", { type: "checkbox", id, checked });
      return { input, row: h("label", { for: id, class: "check" }, input, ` ${label}`) };
    };
    const recording = box("my-recording", "I agree to this visit being recorded.", mine?.recording ?? false);
    const transcription = box("my-transcription", "I agree to this visit being transcribed.", mine?.transcription ?? false);
    const form = h(
      "form",
      { id: "my-consent" },
      h("h4", {}, "Your consent"),
      recording.row,
      transcription.row,
      h("button", { type: "submit" }, "Save your consent"),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.consent(recording.input.checked, transcription.input.checked);
    });
    return form;
  }

  private async consent(recording: boolean, transcription: boolean): Promise<void> {
    try {
      await call(`/visits/${this.visit.visitId}/consent`, { method: "PUT", bearer: this.token, body: { recording, transcription } });
      this.say("Your consent is saved.");
    } catch (failure) {
      this.say(failure instanceof ApiError ? failure.detail || failure.title : "Your consent was not saved.");
    }
  }

  private async toggle(capture: Capture): Promise<void> {
    const path = `/visits/${this.visit.visitId}/${capture}`;
    const stopping = this.running.has(capture);
    try {
      await call(path, { method: stopping ? "DELETE" : "POST", bearer: this.token });
      if (stopping) this.running.delete(capture);
      else this.running.add(capture);
      this.say(stopping ? `Stopped ${LABELS[capture].noun}; its file follows in a minute or so.` : `Started ${LABELS[capture].noun}.`);
    } catch (failure) {
      if (stopping && failure instanceof ApiError && failure.status === 409) {
        this.running.delete(capture);
        this.say(`${LABELS[capture].noun[0].toUpperCase()}${LABELS[capture].noun.slice(1)} had already stopped: someone joined without agreeing to it, or took their agreement back.`);
      } else {
        this.say(this.refusal(capture, failure));
      }
    }
    this.update(this.visit);
  }

  private refusal(capture: Capture, failure: unknown): string {
    if (!(failure instanceof ApiError)) return `${LABELS[capture].noun} could not be started.`;
    const missing = Array.isArray(failure.body.missing) ? (failure.body.missing as string[]) : [];
    if (failure.kind === "consent-required" && missing.length) {
      const who = missing.map((participant) => participantName(this.visit, participant)).join(", ");
      return `Not everyone in the room has agreed to ${LABELS[capture].noun}: ${who}.`;
    }
    return failure.detail || failure.title;
  }

  private async showRecordings(): Promise<void> {
    try {
      const { body } = await call<{ items: Recording[] }>(`/visits/${this.visit.visitId}/recordings`, { bearer: this.token });
      const zone = this.visit.timeZone;
      const rows = body.items.map((recording, n) => {
        const when = `${clockTime(recording.startedAt, zone)}–${recording.endedAt ? clockTime(recording.endedAt, zone) : "now"}`;
        return h(
          "li",
          {},
          `Recording ${n + 1}, ${when}: ${recording.status}`,
          recording.downloadUrl ? " · " : "",
          recording.downloadUrl ? h("a", { href: recording.downloadUrl, download: "", rel: "noreferrer" }, `Download recording ${n + 1}`) : "",
        );
      });
      show(this.output, h("h4", {}, "Recordings"), rows.length ? h("ul", { id: "recordings" }, ...rows) : h("p", {}, "No recordings."));
      this.say(rows.length ? "The recordings are listed; each link works for five minutes." : "This visit has no recordings.");
    } catch (failure) {
      this.say(failure instanceof ApiError ? failure.detail || failure.title : "The recordings could not be read.");
    }
  }

  private async showTranscript(): Promise<void> {
    try {
      const { body } = await call<Transcript>(`/visits/${this.visit.visitId}/transcript`, { bearer: this.token });
      const lines = body.segments.map((segment) =>
        h("li", {}, h("span", { class: "speaker" }, `${participantName(this.visit, segment.participant)} (${clockTime(segment.startedAt, this.visit.timeZone)}): `), segment.text),
      );
      show(this.output, h("h4", {}, "Transcript"), lines.length ? h("ol", { id: "transcript" }, ...lines) : h("p", {}, "No transcript yet."));
      this.say(lines.length ? "The transcript is shown." : "This visit has no transcript yet.");
    } catch (failure) {
      this.say(failure instanceof ApiError ? failure.detail || failure.title : "The transcript could not be read.");
    }
  }

  private say(message: string): void {
    this.status.textContent = message;
    announce(message);
  }
}

// The clinic's telehealth terms, asked for when the API says they must be accepted first (409
// consent-required): the terms by version, and whether the visit may be recorded or
// transcribed (both off unless ticked). The API keeps the answer; this page only asks.
import { button, h, show } from "../ui/dom";

export interface ConsentChoice {
  telehealthTerms: string;
  recording: boolean;
  transcription: boolean;
}

/** Shows the questions in `root` and resolves once the terms are accepted. */
export function askConsent(root: HTMLElement, version: string): Promise<ConsentChoice> {
  return new Promise((resolve) => {
    const box = (id: string, label: string) => {
      const input = h("input", { type: "checkbox", id });
      return { input, label: h("label", { for: id, class: "check" }, input, ` ${label}`) };
    };
    const terms = box("accept-terms", `I accept the clinic's telehealth terms (version ${version}).`);
    const recording = box("consent-recording", "The visit may be recorded.");
    const transcription = box("consent-transcription", "The visit may be transcribed.");
    const accept = button(
      "Accept and join",
      () => {
        accept.disabled = true;
        resolve({ telehealthTerms: version, recording: recording.input.checked, transcription: transcription.input.checked });
      },
      { id: "accept", class: "primary", disabled: true },
    );
    terms.input.addEventListener("change", () => (accept.disabled = !terms.input.checked));
    root.dataset.state = "consent";
    show(
      root,
      h(
        "fieldset",
        { id: "consent" },
        h("legend", {}, "Before you join"),
        terms.label,
        recording.label,
        transcription.label,
        h("p", { class: "hint" }, "You can change your answer about recording and transcription later."),
      ),
      accept,
    );
  });
}

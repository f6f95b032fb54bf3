// The camera and microphone check: a preview, a choice of devices, and plain guidance when the
// browser refuses them or has none. The chosen devices are what the call uses.
import { announce, button, h, show } from "../ui/dom";

export interface DeviceChoice {
  videoDeviceId?: string;
  audioDeviceId?: string;
}

type Outcome = "ready" | "audio-only" | "refused" | "none" | "busy" | "unsupported";

const GUIDANCE: Record<Exclude<Outcome, "ready">, string> = {
  "audio-only": "No camera was found. You can still join with your microphone; others will not see you.",
  refused:
    "Your browser blocked the camera and microphone. Allow them for this site (the camera icon in the address bar, or your browser's site settings), then choose Try again. You can also join without them and only listen.",
  none: "No camera or microphone was found. Connect one and choose Try again, or join anyway to watch and listen.",
  busy: "Another app is using your camera or microphone. Close it and choose Try again.",
  unsupported: "This browser cannot use a camera here. Open the link in a current Chrome, Edge, Firefox or Safari.",
};

export class DeviceCheck {
  stream: MediaStream | null = null;
  outcome: Outcome = "none";
  /** Bumped by every start and stop: a stream that arrives after a newer one was asked for (or after stop) is let go. */
  private generation = 0;
  private readonly video = h("video", { autoplay: true, playsinline: true, "aria-label": "Your camera preview" });
  private readonly cameraSelect = h("select", { id: "camera-select" });
  private readonly micSelect = h("select", { id: "mic-select" });
  private readonly guidance = h("p", { class: "guidance", id: "device-guidance" });

  constructor(private readonly root: HTMLElement) {
    this.video.muted = true;
    this.cameraSelect.addEventListener("change", () => void this.start());
    this.micSelect.addEventListener("change", () => void this.start());
    show(
      root,
      h("h2", {}, "Check your camera and microphone"),
      h("div", { class: "preview" }, this.video),
      h("div", { class: "devices" },
        h("label", { for: "camera-select" }, "Camera"), this.cameraSelect,
        h("label", { for: "mic-select" }, "Microphone"), this.micSelect),
      this.guidance,
      button("Try again", () => void this.start(), { id: "retry-devices" }),
    );
  }

  get choice(): DeviceChoice {
    return { videoDeviceId: this.cameraSelect.value || undefined, audioDeviceId: this.micSelect.value || undefined };
  }

  /** Asks for the chosen devices (both at first) and shows the preview or the guidance. */
  async start(): Promise<Outcome> {
    this.stop();
    const generation = this.generation;
    if (!navigator.mediaDevices?.getUserMedia) return this.settle("unsupported");
    const { videoDeviceId, audioDeviceId } = this.choice;
    const video: MediaTrackConstraints | boolean = videoDeviceId ? { deviceId: { exact: videoDeviceId } } : true;
    const audio: MediaTrackConstraints | boolean = audioDeviceId ? { deviceId: { exact: audioDeviceId } } : true;
    const current = (stream: MediaStream): boolean => {
      if (generation === this.generation) return true;
      stream.getTracks().forEach((track) => track.stop());
      return false;
    };
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video, audio });
      if (!current(stream)) return this.outcome;
      this.stream = stream;
    } catch (error) {
      if (generation !== this.generation) return this.outcome;
      const name = error instanceof DOMException ? error.name : "";
      if (name === "NotAllowedError" || name === "SecurityError") return this.settle("refused");
      if (name === "NotReadableError" || name === "AbortError") return this.settle("busy");
      // No camera: the microphone alone may still be there.
      try {
        const stream = await navigator.mediaDevices.getUserMedia({ audio });
        if (!current(stream)) return this.outcome;
        this.stream = stream;
        await this.listDevices();
        return this.settle("audio-only");
      } catch {
        return generation === this.generation ? this.settle("none") : this.outcome;
      }
    }
    this.video.srcObject = this.stream;
    await this.listDevices();
    return this.settle("ready");
  }

  stop(): void {
    this.generation += 1;
    this.stream?.getTracks().forEach((track) => track.stop());
    this.stream = null;
    this.video.srcObject = null;
  }

  /** Stops the devices and takes the check off the page (a link that cannot be used). */
  close(): void {
    this.stop();
    this.root.replaceChildren();
    delete this.root.dataset.devices;
  }

  private settle(outcome: Outcome): Outcome {
    this.outcome = outcome;
    this.root.dataset.devices = outcome;
    // make bench reads it: the time from navigation to a settled preview.
    performance.mark("devices-settled");
    if (outcome === "ready") {
      this.guidance.textContent = "Your camera and microphone are working.";
      announce("Camera and microphone are ready.");
    } else {
      this.guidance.textContent = GUIDANCE[outcome];
      announce(GUIDANCE[outcome]);
    }
    return outcome;
  }

  /** Device labels are only readable once permission is given, so the lists fill in after it. */
  private async listDevices(): Promise<void> {
    const devices = await navigator.mediaDevices.enumerateDevices();
    const current = this.stream?.getTracks().map((track) => track.getSettings().deviceId) ?? [];
    fill(this.cameraSelect, devices.filter((d) => d.kind === "videoinput"), current, "Camera");
    fill(this.micSelect, devices.filter((d) => d.kind === "audioinput"), current, "Microphone");
  }
}

function fill(select: HTMLSelectElement, devices: MediaDeviceInfo[], current: (string | undefined)[], noun: string): void {
  const options = devices.map((device, index) =>
    h("option", { value: device.deviceId, selected: current.includes(device.deviceId) }, device.label || `${noun} ${index + 1}`),
  );
  show(select, ...(options.length ? options : [h("option", { value: "" }, `No ${noun.toLowerCase()} found`)]));
  select.disabled = options.length === 0;
}

// Demo mode's meeting: no media server, so the page shows the local camera and, from what the
// API says, who else is present. Nothing connects to AWS.
import type { Room, RoomView } from "./room";

export class DemoRoom implements Room {
  readonly demo = true;

  constructor(
    private readonly stream: MediaStream | null,
    view: RoomView,
  ) {
    view.local.srcObject = stream;
  }

  mute(muted: boolean): void {
    this.stream?.getAudioTracks().forEach((track) => (track.enabled = !muted));
  }

  async camera(on: boolean): Promise<void> {
    this.stream?.getVideoTracks().forEach((track) => (track.enabled = on));
  }

  leave(): void {
    // The stream belongs to the device check, which stops it.
  }
}

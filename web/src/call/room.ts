// A visit's video, whichever provider: a Chime SDK meeting (a Connect contact's connection data
// is one too), or demo mode's meeting, which has no media server and shows the local camera.
import type { ChimeAttendee, ChimeMeeting, Session } from "../api/types";
import type { DeviceChoice } from "./devices";

export interface RoomView {
  local: HTMLVideoElement;
  /** Where remote participants' videos go. */
  remotes: HTMLElement;
  audio: HTMLAudioElement;
}

export interface RoomEvents {
  /** The meeting ended for everyone, or this participant was removed from it. */
  ended(reason: "ended" | "removed" | "elsewhere"): void;
  /** The connection failed for good: enter again with the same token. */
  dropped(): void;
  /** Who else is in the meeting, by their external user id. */
  presence(externalUserIds: string[]): void;
}

export interface Room {
  readonly demo: boolean;
  mute(muted: boolean): void;
  camera(on: boolean): Promise<void>;
  leave(): void;
}

export function meetingOf(session: Session): { meeting: ChimeMeeting; attendee: ChimeAttendee } {
  return session.provider === "connect"
    ? { meeting: session.connectionData.Meeting, attendee: session.connectionData.Attendee }
    : { meeting: session.meeting, attendee: session.attendee };
}

/** Demo mode's and the local stand-in's meetings live on a reserved `.invalid` host. */
export function isLocalMeeting(meeting: ChimeMeeting): boolean {
  const signaling = meeting.MediaPlacement?.SignalingUrl ?? "";
  return /^wss:\/\/[a-z.-]+\.invalid\//.test(signaling);
}

export async function openRoom(
  session: Session,
  devices: DeviceChoice,
  localStream: MediaStream | null,
  view: RoomView,
  events: RoomEvents,
): Promise<Room> {
  const { meeting, attendee } = meetingOf(session);
  if (isLocalMeeting(meeting)) {
    const { DemoRoom } = await import("./demo-room");
    return new DemoRoom(localStream, view);
  }
  // The SDK is most of the pages' weight: it loads only when someone enters a real meeting.
  const { joinChime } = await import("./chime-room");
  return joinChime(meeting, attendee, devices, view, events);
}

// A Chime SDK meeting (a Chime visit, or a Connect contact's WebRTC connection data).
// The package's index: its modules import one another through it, so a deep import starts them
// in an order whose class chain is not ready yet. (Its messaging client is left out of the
// bundle: build.mjs.)
import {
  DefaultDeviceController,
  DefaultMeetingSession,
  MeetingSessionConfiguration,
  MeetingSessionStatusCode,
  NoOpLogger,
  type AudioVideoObserver,
  type MeetingSessionStatus,
  type VideoTileState,
} from "amazon-chime-sdk-js";
import type { ChimeAttendee, ChimeMeeting } from "../api/types";
import type { DeviceChoice } from "./devices";
import type { Room, RoomEvents, RoomView } from "./room";

export async function joinChime(
  meeting: ChimeMeeting,
  attendee: ChimeAttendee,
  devices: DeviceChoice,
  view: RoomView,
  events: RoomEvents,
): Promise<Room> {
  // No logger: the SDK's logs can carry signalling URLs with the attendee's join token.
  const logger = new NoOpLogger();
  const configuration = new MeetingSessionConfiguration({ Meeting: meeting }, { Attendee: attendee });
  const session = new DefaultMeetingSession(configuration, logger, new DefaultDeviceController(logger));
  const av = session.audioVideo;
  const present = new Map<string, string>();
  const remoteVideos = new Map<number, HTMLVideoElement>();

  const observer: AudioVideoObserver = {
    videoTileDidUpdate(tile: VideoTileState) {
      if (tile.tileId === null || tile.isContent) return;
      if (tile.localTile) {
        av.bindVideoElement(tile.tileId, view.local);
        return;
      }
      let video = remoteVideos.get(tile.tileId);
      if (!video) {
        video = document.createElement("video");
        video.autoplay = true;
        video.playsInline = true;
        video.setAttribute("aria-label", "A participant's video");
        remoteVideos.set(tile.tileId, video);
        view.remotes.append(video);
      }
      av.bindVideoElement(tile.tileId, video);
    },
    videoTileWasRemoved(tileId: number) {
      remoteVideos.get(tileId)?.remove();
      remoteVideos.delete(tileId);
    },
    audioVideoDidStop(status: MeetingSessionStatus) {
      const code = status.statusCode();
      if (code === MeetingSessionStatusCode.Left) return;
      if (code === MeetingSessionStatusCode.MeetingEnded) {
        events.ended("ended");
      } else if (code === MeetingSessionStatusCode.AudioAttendeeRemoved) {
        events.ended("removed");
      } else if (code === MeetingSessionStatusCode.AudioJoinedFromAnotherDevice) {
        events.ended("elsewhere");
      } else {
        events.dropped();
      }
    },
  };
  av.addObserver(observer);
  av.realtimeSubscribeToAttendeeIdPresence((attendeeId, isPresent, externalUserId) => {
    if (attendeeId === attendee.AttendeeId || !externalUserId) return;
    if (isPresent) present.set(attendeeId, externalUserId);
    else present.delete(attendeeId);
    events.presence([...present.values()]);
  });

  // A missing or blocked microphone must not stop someone joining to listen (chime-sdk-js#1325).
  try {
    await av.startAudioInput(devices.audioDeviceId ?? "default");
  } catch {
    /* listen only */
  }
  let videoOn = false;
  if (devices.videoDeviceId) {
    try {
      await av.startVideoInput(devices.videoDeviceId);
      videoOn = true;
    } catch {
      /* no camera */
    }
  }
  await av.bindAudioElement(view.audio);
  av.start();
  if (videoOn) av.startLocalVideoTile();

  return {
    demo: false,
    mute(muted: boolean) {
      if (muted) av.realtimeMuteLocalAudio();
      else av.realtimeUnmuteLocalAudio();
    },
    async camera(on: boolean) {
      if (on && devices.videoDeviceId) {
        await av.startVideoInput(devices.videoDeviceId);
        av.startLocalVideoTile();
      } else {
        av.stopLocalVideoTile();
        await av.stopVideoInput();
      }
    },
    leave() {
      av.removeObserver(observer);
      av.stop();
    },
  };
}

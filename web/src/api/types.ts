// The shapes of docs/api.md that the pages read. Only what they use; the API refuses unknown
// fields, so nothing here is ever sent that the contract does not define.

export type Provider = "chime" | "connect";
export type VisitStatus = "scheduled" | "in_progress" | "completed" | "cancelled" | "no_show";

export interface LinkPreview {
  status: "active" | "redeemed" | "expired" | "revoked";
  scheduledAt: string;
  durationMinutes: number;
  opensAt: string;
  timeZone: string;
  provider: Provider;
  /** The clinic's telehealth terms to accept before entering, when it has set a version. */
  telehealthTerms?: string;
}

export interface Redeemed {
  visitId: string;
  joinToken: string;
  expiresAt: string;
}

export interface Guest {
  guestId: string;
  role: "caregiver" | "interpreter";
  displayName?: string;
  joinedAt?: string;
}

export interface Attendance {
  participant: string;
  firstJoinedAt?: string;
  lastLeftAt?: string;
  minutesPresent: number;
}

export interface Visit {
  visitId: string;
  patientId: string;
  clinicianId: string;
  scheduledAt: string;
  durationMinutes: number;
  provider: Provider;
  status: VisitStatus;
  timeZone: string;
  createdAt: string;
  updatedAt: string;
  patientCheckedInAt?: string;
  sessionStartedAt?: string;
  guests?: Guest[];
  attendance?: Attendance[];
  /** Staff only: each participant's newest word. */
  consents?: Consent[];
}

export interface Consent {
  participant: string;
  telehealthTerms?: string;
  recording: boolean;
  transcription: boolean;
  at: string;
}

/** A recording as `GET /visits/{id}/recordings` lists it. */
export interface Recording {
  recordingId: string;
  status: "recording" | "processing" | "available" | "failed";
  startedAt: string;
  endedAt?: string;
  /** Once available: works for five minutes. */
  downloadUrl?: string;
}

export interface Transcript {
  segments: { participant: string; startedAt: string; text: string }[];
}

export interface VisitPage {
  items: Visit[];
  nextCursor?: string | null;
}

/** The Chime SDK's own Meeting and Attendee (PascalCase), passed straight to the SDK. */
export interface ChimeMeeting {
  MeetingId: string;
  MediaRegion?: string;
  MediaPlacement: Record<string, string>;
  [key: string]: unknown;
}

export interface ChimeAttendee {
  AttendeeId: string;
  ExternalUserId: string;
  JoinToken: string;
  [key: string]: unknown;
}

export type Session =
  | { visitId: string; provider: "chime"; meeting: ChimeMeeting; attendee: ChimeAttendee }
  | {
      visitId: string;
      provider: "connect";
      contactId: string;
      participantId: string;
      participantToken: string;
      connectionData: { Meeting: ChimeMeeting; Attendee: ChimeAttendee };
    };

/** What asking to enter a visit answers: the session, or wait and ask again. */
export type Entry = { kind: "session"; session: Session } | { kind: "waiting"; retryAfterSeconds: number };

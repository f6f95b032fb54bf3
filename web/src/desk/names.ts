// How the desk names a participant the API names `patient`, `clinician` or `guest:{id}`.
import type { Visit } from "../api/types";

export function participantName(visit: Visit, participant: string): string {
  const guest = (visit.guests ?? []).find((each) => `guest:${each.guestId}` === participant);
  if (guest) return guest.displayName ? `${guest.displayName} (${guest.role})` : guest.role;
  if (participant === "patient") return "Patient";
  if (participant === "clinician") return "You";
  return participant.startsWith("guest:") ? "A former guest" : "Staff";
}

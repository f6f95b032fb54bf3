// The calendar file for a visit (RFC 5545), made in the page: the same event the email's
// invite.ics carries (UID = the visit), whose link is the portal, never a one-time link.
import type { Visit } from "../api/types";

const stamp = (iso: string) => new Date(iso).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

export function calendarFile(visit: Visit, portalUrl: string): Blob {
  const end = new Date(new Date(visit.scheduledAt).getTime() + visit.durationMinutes * 60000).toISOString();
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//video-visits//portal//EN",
    "METHOD:PUBLISH",
    "BEGIN:VEVENT",
    `UID:${visit.visitId}`,
    `DTSTAMP:${stamp(new Date().toISOString())}`,
    `DTSTART:${stamp(visit.scheduledAt)}`,
    `DTEND:${stamp(end)}`,
    "SUMMARY:Video visit",
    `URL:${portalUrl}`,
    `STATUS:${visit.status === "cancelled" ? "CANCELLED" : "CONFIRMED"}`,
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return new Blob([lines.join("\r\n") + "\r\n"], { type: "text/calendar" });
}

// Times as people read them: in the visit's own zone, with the zone's abbreviation.

export function visitTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat(undefined, {
    weekday: "long",
    day: "numeric",
    month: "long",
    hour: "numeric",
    minute: "2-digit",
    timeZone: safeZone(timeZone),
    timeZoneName: "short",
  }).format(new Date(iso));
}

export function clockTime(iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(undefined, {
    hour: "numeric",
    minute: "2-digit",
    timeZone: safeZone(timeZone),
    timeZoneName: "short",
  }).format(new Date(iso));
}

/** A zone the browser does not know falls back to the browser's own rather than throwing. */
function safeZone(timeZone?: string): string | undefined {
  if (!timeZone) return undefined;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone });
    return timeZone;
  } catch {
    return undefined;
  }
}

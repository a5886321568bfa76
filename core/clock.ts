/** Time is a dependency, so windows (365 days, 24 h undo, code expiry) are tested without sleeping. */
export type Clock = { now(): Date };

export const systemClock: Clock = { now: () => new Date() };

export const fixedClock = (at: Date | string): Clock => {
  const t = new Date(at);
  return { now: () => new Date(t) };
};

export const addMinutes = (d: Date, minutes: number) => new Date(d.getTime() + minutes * 60_000);
export const addHours = (d: Date, hours: number) => addMinutes(d, hours * 60);
export const addDays = (d: Date, days: number) => addMinutes(d, days * 24 * 60);

/** Midnight of `d`'s calendar day in `timeZone` (default Moscow), as an instant. */
export function startOfDay(d: Date, timeZone = "Europe/Moscow"): Date {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", hour: "numeric", minute: "numeric", second: "numeric" })
      .formatToParts(d)
      .filter((p) => p.type !== "literal")
      .map((p) => [p.type, Number(p.value)]),
  ) as { hour: number; minute: number; second: number };
  return new Date(d.getTime() - ((parts.hour * 60 + parts.minute) * 60 + parts.second) * 1000 - d.getMilliseconds());
}

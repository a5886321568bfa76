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

import { useEffect, useState } from 'react';

// Times are shown in the clinic's time zone, whatever the zone of the device showing them. Arabic uses
// Western digits so times read the same as record numbers and phone numbers beside them.
function locale(language: string): string {
  return language === 'ar' ? 'ar-u-nu-latn' : 'en-GB';
}

export function formatTime(iso: string, timeZone: string, language: string): string {
  return new Intl.DateTimeFormat(locale(language), { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

export function formatDateTime(iso: string, timeZone: string, language: string, withSeconds = false): string {
  return new Intl.DateTimeFormat(locale(language), {
    timeZone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    ...(withSeconds && { second: '2-digit' }),
    hourCycle: 'h23',
  }).format(new Date(iso));
}

/** A calendar date (YYYY-MM-DD) written out; it names a day, so no time zone shift applies. */
export function formatDate(date: string, language: string, withWeekday = false): string {
  return new Intl.DateTimeFormat(locale(language), {
    timeZone: 'UTC',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    ...(withWeekday && { weekday: 'short' }),
  }).format(new Date(`${date}T12:00:00Z`));
}

/** A day in a week view: weekday, day and month, no year. */
export function formatDay(date: string, language: string): string {
  return new Intl.DateTimeFormat(locale(language), { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' }).format(new Date(`${date}T12:00:00Z`));
}

export function weekdayName(weekday: number, language: string, width: 'long' | 'short' = 'long'): string {
  // 2023-01-01 was a Sunday, the weekday the API numbers 0.
  return new Intl.DateTimeFormat(locale(language), { timeZone: 'UTC', weekday: width }).format(new Date(Date.UTC(2023, 0, 1 + weekday, 12)));
}

/** The calendar date at `instant` in `timeZone`. */
export function dateIn(timeZone: string, instant: Date | string = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function weekdayOf(date: string): number {
  return new Date(`${date}T12:00:00Z`).getUTCDay();
}

/** The Saturday starting the week that holds `date`: the clinic week in the region. */
export function weekStart(date: string): string {
  return addDays(date, -((weekdayOf(date) + 1) % 7));
}

export function isRealDate(iso: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return false;
  const [y, m, d] = iso.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** "Now" that re-renders every `everyMs`, corrected by the offset between server and device clocks. */
export function useNow(everyMs: number, serverTime?: string): number {
  const [offset, setOffset] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (serverTime) setOffset(new Date(serverTime).getTime() - Date.now());
  }, [serverTime]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now + offset;
}

/** Whole minutes and seconds from `iso` until `now`, as "m:ss" or "h:mm:ss". */
export function elapsed(iso: string, now: number): { minutes: number; text: string } {
  const seconds = Math.max(0, Math.floor((now - new Date(iso).getTime()) / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return { minutes: Math.floor(seconds / 60), text: h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}` };
}

// The time, as a dependency: services read it from an injected clock so that
// expiry, lockout and key rotation are tested by moving a clock, not by sleeping.
// The policy engine never reads a clock; its request carries the time.

/** Where a service reads the current time. */
export interface Clock {
  /** The current time. */
  now(): Date;
  /** The current time in ms since the epoch, without making a Date (for stamps on paths every request takes). */
  nowMs(): number;
}

/** The machine's clock. */
export const systemClock: Clock = Object.freeze({ now: () => new Date(), nowMs: () => Date.now() });

/** A clock that moves only when told to (tests). */
export class ManualClock implements Clock {
  private time: number;

  constructor(start: Date | number = Date.now()) {
    this.time = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.time);
  }

  nowMs(): number {
    return this.time;
  }

  /** Moves the clock forward by `ms` milliseconds (backward when negative). */
  advance(ms: number): void {
    this.time += ms;
  }

  /** Sets the clock to `time`. */
  set(time: Date | number): void {
    this.time = typeof time === 'number' ? time : time.getTime();
  }
}

import { tooMany } from '../api/errors.ts';

// Failed log-ins are counted per account and per client address in sliding
// windows (credential stuffing spreads over accounts; guessing concentrates on
// one). Kept in memory: it resets on restart, which only ever loosens it.

interface Window {
  failures: number[];
}

export interface ThrottleLimits {
  windowMs: number;
  perAccount: number;
  perAddress: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = { windowMs: 15 * 60 * 1000, perAccount: 5, perAddress: 30 };

export class LoginThrottle {
  readonly #byKey = new Map<string, Window>();
  readonly #limits: ThrottleLimits;

  constructor(limits: ThrottleLimits = DEFAULT_LIMITS) {
    this.#limits = limits;
  }

  #recent(key: string, now: number): number[] {
    const w = this.#byKey.get(key);
    if (!w) return [];
    w.failures = w.failures.filter((t) => t > now - this.#limits.windowMs);
    if (w.failures.length === 0) this.#byKey.delete(key);
    return w.failures;
  }

  /** Throws 429 when either the account or the address has used up its attempts. */
  check(account: string, address: string, now = Date.now()) {
    const a = this.#recent(`a:${account}`, now);
    const ip = this.#recent(`i:${address}`, now);
    const over = a.length >= this.#limits.perAccount ? a : ip.length >= this.#limits.perAddress ? ip : undefined;
    if (over) {
      const retry = Math.ceil((over[0]! + this.#limits.windowMs - now) / 1000);
      throw tooMany('too_many_attempts', 'Too many failed log-in attempts. Please wait and try again.', retry);
    }
  }

  fail(account: string, address: string, now = Date.now()) {
    for (const key of [`a:${account}`, `i:${address}`]) {
      const w = this.#byKey.get(key) ?? { failures: [] };
      w.failures.push(now);
      this.#byKey.set(key, w);
    }
  }

  succeed(account: string) {
    this.#byKey.delete(`a:${account}`);
  }
}

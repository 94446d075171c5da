import type { LoginThrottle } from '../../config.js';
import type { RateLimiter } from '../../infrastructure/rate-limiter.js';
import { clientKey } from '../../shared/client-address.js';
import { describeDuration } from '../../shared/duration.js';
import { AppError } from '../../shared/errors.js';
import { accountLimitKey } from './email-address.js';

const HOUR_SECONDS = 60 * 60;

/**
 * Sign-in throttling that keeps guessing expensive without letting anyone lock the owner out.
 * Failures are counted per account *and* client address: after `freeFailuresPerAddress` in the
 * window, that address waits before each further attempt: 1 s, then 2 s, 4 s, ... up to `maxDelaySeconds`.
 * Across all addresses an account may fail `accountFailuresPerHour` times; beyond that only addresses
 * with no recent failure for it may try (the owner on their own device still signs in). A success
 * clears the address's count; a password reset clears the account's.
 *
 * Every step is the same for known and unknown emails, so the answers do not tell them apart.
 */
export function createLoginThrottle(rateLimiter: RateLimiter, policy: LoginThrottle) {
  const keys = (email: string, ip: string) => {
    const pair = `${email}\n${clientKey(ip)}`;
    return {
      account: accountLimitKey('login-failures', email),
      address: accountLimitKey('login-address-failures', pair),
      wait: accountLimitKey('login-wait', pair),
    };
  };

  function throttled(retryAfterSeconds: number, why: string): AppError {
    const seconds = Math.max(1, retryAfterSeconds);
    return new AppError(
      'rate_limited',
      `Too many failed sign-in attempts ${why}. Try again in ${describeDuration(seconds * 1000)}, or reset the password.`,
      undefined,
      { retryAfterSeconds: seconds },
    );
  }

  return {
    /** Throws 429 while this address must wait, or while the account is over its ceiling and this address has failed. */
    async check(email: string, ip: string): Promise<void> {
      const key = keys(email, ip);
      const [wait, account, address] = await Promise.all([
        rateLimiter.peek(key.wait),
        rateLimiter.peek(key.account),
        rateLimiter.peek(key.address),
      ]);
      if (wait !== undefined) {
        throw throttled(Math.ceil(wait.ttlMs / 1000), 'for this account from this address');
      }
      if (
        account !== undefined &&
        account.current >= policy.accountFailuresPerHour &&
        address !== undefined
      ) {
        throw throttled(Math.ceil(account.ttlMs / 1000), 'for this account');
      }
    },

    /** Counts a failure; past the free ones, the address's next attempt has to wait. */
    async failed(email: string, ip: string): Promise<void> {
      const key = keys(email, ip);
      const [address] = await Promise.all([
        rateLimiter.hit(key.address, policy.freeFailuresPerAddress, policy.addressWindowSeconds),
        rateLimiter.hit(key.account, policy.accountFailuresPerHour, HOUR_SECONDS),
      ]);
      // The last free failure starts the first wait: 1 s, then 2 s, 4 s, ...
      const beyond = address.count - policy.freeFailuresPerAddress;
      if (beyond >= 0) {
        const delaySeconds = Math.min(2 ** Math.min(beyond, 30), policy.maxDelaySeconds);
        await rateLimiter.hit(key.wait, 0, delaySeconds);
      }
    },

    /** The right password from this address: its failures no longer count. */
    async succeeded(email: string, ip: string): Promise<void> {
      const key = keys(email, ip);
      await Promise.all([rateLimiter.reset(key.address), rateLimiter.reset(key.wait)]);
    },

    /** The owner proved control of the mailbox: guesses by others stop counting against the account. */
    async accountRecovered(email: string, ip: string | undefined): Promise<void> {
      const resets = [rateLimiter.reset(keys(email, '').account)];
      if (ip !== undefined) {
        const key = keys(email, ip);
        resets.push(rateLimiter.reset(key.address), rateLimiter.reset(key.wait));
      }
      await Promise.all(resets);
    },
  };
}

export type LoginThrottleService = ReturnType<typeof createLoginThrottle>;

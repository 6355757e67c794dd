// Who may talk to the Node host: requests for our own host name (no DNS rebinding), from our own
// origin (no cross-site pages), carrying this run's random token (no other local program).

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/**
 * Constant-time comparison of fixed-length digests: any string (any length, any characters, any
 * UTF-8 byte length) is compared without throwing, and the time does not depend on where the
 * strings differ. Anything but a string (missing header, repeated header as an array) fails.
 */
export function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length > 4096) return false;
  return timingSafeEqual(digest(given), digest(expected)) && given === expected;
}

/** Host names a browser on this machine may use for us. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

/** Null when acceptable, else the reason for a 403. */
export function checkHostAndOrigin(req: IncomingMessage, port: number): string | null {
  const hosts = allowedHosts(port);
  const host = req.headers.host?.toLowerCase();
  if (!host || !hosts.has(host)) return 'unexpected Host header';
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const o = origin.toLowerCase();
    if (!o.startsWith('http://') || !hosts.has(o.slice('http://'.length))) return 'foreign Origin';
  }
  if (req.headers['sec-fetch-site'] === 'cross-site') return 'cross-site request';
  return null;
}

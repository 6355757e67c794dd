// Security constants shared by both hosts: the Content-Security-Policy of the renderer and the
// origin checks. One definition, so the Electron protocol handler and the Node host cannot drift.

/** The custom protocol the Electron app is served from. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'flat';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * Strict CSP for the renderer. No 'unsafe-eval' and no 'unsafe-inline': the Vite build emits
 * external scripts and stylesheets only, and the renderer needs no WebAssembly (h5wasm and ORT run
 * in the main/worker processes).
 */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  // blob: workers match the renderer's own meta CSP (canvas/imaging code may spawn them).
  "worker-src 'self' blob:",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers sent with every renderer response (Node host) or protocol response (Electron). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': RENDERER_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

/**
 * True when `url` belongs to our custom protocol origin (app://flat/…). Parsed by hand: Node's
 * WHATWG URL reports origin "null" for non-special schemes, so `new URL(u).origin` cannot be used.
 */
export function isAppOrigin(url: string | null | undefined): boolean {
  if (typeof url !== 'string') return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
}

// The app:// protocol: serves the built renderer from app://flat/ with the renderer CSP.
// Pure Node logic (the Electron side only wraps the result in a Response), so it is unit-tested.

import { mimeType, readStatic, resolveStaticPath } from '../node-host/static-files';
import { APP_HOST, APP_SCHEME, SECURITY_HEADERS } from '../common/security';

export interface ProtocolReply {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

function text(status: number, body: string): ProtocolReply {
  return { status, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }, body };
}

/** Answer one app:// request from the renderer folder `root`. */
export async function appProtocolReply(requestUrl: string, method: string, root: string): Promise<ProtocolReply> {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return text(400, 'Bad request.');
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return text(404, 'Not found.');
  if (method !== 'GET' && method !== 'HEAD') return text(405, 'Method not allowed.');
  const file = resolveStaticPath(root, url.pathname);
  if (!file) return text(404, 'Not found.');
  const bytes = await readStatic(file);
  if (!bytes) return text(404, 'Not found.');
  return {
    status: 200,
    headers: { ...SECURITY_HEADERS, 'Content-Type': mimeType(file), 'Cache-Control': 'no-cache' },
    body: method === 'HEAD' ? '' : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  };
}

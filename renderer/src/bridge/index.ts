// Which transport speaks FlatApi: Electron's preload (`window.flat`) or the Node host over HTTP.

import type { FlatApi } from '../../../app/contract/ipc';
import { createHttpApi } from './http';

declare global {
  interface Window {
    flat?: FlatApi;
  }
}

export type Transport = 'electron' | 'node-host';

export function connect(): { api: FlatApi; transport: Transport } {
  if (window.flat) return { api: window.flat, transport: 'electron' };
  const token = new URLSearchParams(location.search).get('token') ?? '';
  return { api: createHttpApi(location.origin, token), transport: 'node-host' };
}

/** Plain sentence from anything a FlatApi call rejected with (never a stack trace). */
export function plainMessage(e: unknown): string {
  let msg = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
  // Electron prefixes IPC rejections with "Error invoking remote method '…': Error: ".
  msg = msg.replace(/^Error invoking remote method '[^']*':\s*/, '').replace(/^(\w*Error):\s*/, '');
  const firstLine = msg.split('\n')[0]?.trim() ?? '';
  return firstLine || 'Something went wrong; please try again.';
}

// One DICOM association with dcmjs-dimse, wrapped as a promise: it settles when the connection is
// gone (released, rejected, aborted, dropped or timed out) and turns every way it can end badly into
// one plain sentence (FlatError 'network'). The DIMSE protocol itself is entirely dcmjs-dimse's.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import dimse from 'dcmjs-dimse';
import { FlatError } from '../core/errors';
import type { PacsNode, PacsTimeouts } from './config';

// dcmjs-dimse logs everything to the console unless told otherwise, and dcmjs (the CommonJS copy that
// dcmjs-dimse loads, not the ES module build) warns about every odd VR in a file.
dimse.log.setLevel('silent');
{
  const dcmjs = createRequire(import.meta.url)('dcmjs') as { log?: { setLevel(l: string): void; getLogger(n: string): { setLevel(l: string): void } } };
  dcmjs.log?.setLevel('silent');
  dcmjs.log?.getLogger('validation.dcmjs').setLevel('silent');
}

export type DimseClient = InstanceType<typeof dimse.Client>;
export type DimseRequest = InstanceType<typeof dimse.requests.Request>;

export interface AssociationContext {
  node: PacsNode;
  localAeTitle: string;
  timeouts: PacsTimeouts;
}

export interface AssociationOutcome {
  /** the association was accepted (requests were sent) */
  accepted: boolean;
  /** released normally after every request was answered */
  released: boolean;
  /** set when the association did not end by a normal release */
  error?: FlatError;
}

/** "ORTHANC@127.0.0.1:4242" — how a node is named in messages. */
export function describeNode(node: PacsNode): string {
  const host = node.host.includes(':') ? `[${node.host}]` : node.host;
  const spec = `${node.aeTitle}@${host}:${node.port}`;
  return node.name && node.name !== spec ? `PACS "${node.name}" (${spec})` : `PACS ${spec}`;
}

function rejectSentence(node: PacsNode, localAe: string, r: { result: number; source: number; reason: number }): string {
  const who = describeNode(node);
  const transient = r.result === 2 ? ' (transient; try again later)' : '';
  if (r.source === 1) {
    if (r.reason === 7) return `${who} refused the association: it does not know the called AE title "${node.aeTitle}"${transient}.`;
    if (r.reason === 3) return `${who} refused the association: it does not accept our calling AE title "${localAe}"${transient}.`;
    if (r.reason === 2) return `${who} refused the association: application context not supported${transient}.`;
    return `${who} refused the association (no reason given)${transient}.`;
  }
  if (r.source === 2) return `${who} refused the association: ${r.reason === 2 ? 'protocol version not supported' : 'no reason given'}${transient}.`;
  return `${who} refused the association: ${r.reason === 1 ? 'temporary congestion' : r.reason === 2 ? 'local limit exceeded' : 'no reason given'}${transient}.`;
}

function networkSentence(node: PacsNode, message: string, accepted: boolean, timeouts: PacsTimeouts): string {
  const who = describeNode(node);
  const code = /\b(E[A-Z]{3,})\b/.exec(message)?.[1];
  switch (code) {
    case 'ECONNREFUSED':
      return `Cannot reach ${who}: connection refused (is the server running on that port?).`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Cannot reach ${who}: the host name "${node.host}" does not resolve.`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `Cannot reach ${who}: no route to the host.`;
    case 'ECONNRESET':
    case 'EPIPE':
      return accepted ? `${who} dropped the connection during the transfer.` : `${who} dropped the connection before accepting the association.`;
  }
  if (/association timeout/i.test(message)) return `${who} did not answer the association request within ${timeouts.associationMs / 1000} s.`;
  if (/pdu timeout/i.test(message)) return `${who} stopped answering for ${timeouts.pduMs / 1000} s during the transfer.`;
  if (/timeout/i.test(message)) return `${who} did not answer within ${(Math.max(timeouts.connectMs, timeouts.pduMs, timeouts.associationMs) + 2000) / 1000} s.`;
  if (/certificate|SSL|TLS/i.test(message)) return `The TLS connection to ${who} failed: ${message.replace(/^.*?error:\s*/i, '')}.`;
  return `The connection to ${who} failed: ${message.replace(/^.*?Connection error:\s*/, '')}.`;
}

function tlsOptions(node: PacsNode): Record<string, unknown> | undefined {
  if (!node.tls) return undefined;
  const read = (f: string | undefined): Buffer | undefined => {
    if (f === undefined) return undefined;
    try {
      return readFileSync(f);
    } catch {
      throw new FlatError('io', `Cannot read the TLS file ${f} for ${describeNode(node)}.`, f);
    }
  };
  return { ca: read(node.tls.ca), cert: read(node.tls.cert), key: read(node.tls.key), rejectUnauthorized: true, minVersion: 'TLSv1.2' };
}

/**
 * Send `requests` on one association and wait until the connection is gone. `client` may carry
 * handlers (e.g. 'cStoreRequest' for C-GET) and extra presentation contexts. Never rejects: the
 * outcome says how it ended.
 */
export function runAssociation(ctx: AssociationContext, client: DimseClient, requests: DimseRequest[]): Promise<AssociationOutcome> {
  const { node, localAeTitle, timeouts } = ctx;
  for (const r of requests) client.addRequest(r);
  const security = tlsOptions(node);
  return new Promise((resolve) => {
    let accepted = false;
    let released = false;
    let connected = false;
    let error: FlatError | undefined;
    let settled = false;
    const fail = (message: string): void => {
      error ??= new FlatError('network', message);
    };
    const socket = (): Socket | undefined => (client as unknown as { network?: { socket?: Socket } }).network?.socket;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(graceTimer);
      if (!released && !error) fail(accepted ? `${describeNode(node)} closed the connection during the transfer.` : `${describeNode(node)} closed the connection before accepting the association.`);
      resolve({ accepted, released, ...(error ? { error } : {}) });
    };
    let graceTimer: NodeJS.Timeout | undefined;
    // After an error the library half-closes the socket; a dead peer may never finish that, so destroy it.
    const closeSoon = (): void => {
      graceTimer ??= setTimeout(() => {
        socket()?.destroy();
        finish();
      }, 300);
    };
    const connectTimer = setTimeout(() => {
      if (connected) return;
      fail(`Cannot reach ${describeNode(node)}: no connection within ${timeouts.connectMs / 1000} s.`);
      socket()?.destroy();
      closeSoon();
    }, timeouts.connectMs);
    client.on('connected', () => {
      connected = true;
      clearTimeout(connectTimer);
    });
    client.on('associationAccepted', () => {
      accepted = true;
    });
    client.on('associationRejected', (r: { result: number; source: number; reason: number }) => {
      fail(rejectSentence(node, localAeTitle, r));
      closeSoon();
    });
    client.on('associationReleased', () => {
      released = true;
    });
    client.on('networkError', (e: Error) => {
      fail(networkSentence(node, e?.message ?? String(e), accepted, timeouts));
      closeSoon();
    });
    client.on('closed', () => finish());
    try {
      client.send(node.host, node.port, localAeTitle, node.aeTitle, {
        // The library's "connect timeout" is the socket's idle timeout for the whole association; keep
        // it behind its association and PDU timeouts (checked once a second), which name the phase.
        connectTimeout: Math.max(timeouts.connectMs, timeouts.pduMs, timeouts.associationMs) + 2000,
        associationTimeout: timeouts.associationMs,
        pduTimeout: timeouts.pduMs,
        ...(security ? { securityOptions: security } : {}),
      });
      // Abort PDUs from the peer are not forwarded by the Client; listen on its network directly.
      const network = (client as unknown as { network?: { on(ev: string, f: (a: { source: number; reason: number }) => void): void } }).network;
      network?.on('abort', () => {
        fail(`${describeNode(node)} aborted the association${accepted ? ' during the transfer' : ''}.`);
        closeSoon();
      });
    } catch (e) {
      fail(`Cannot start the association with ${describeNode(node)}: ${(e as Error).message}.`);
      finish();
    }
  });
}

// DIMSE status classes (PS3.7 C): 0x0000 success, 0xFF00/0xFF01 pending, 0x0001 and 0xBxxx warning,
// 0xFE00 cancel, everything else a failure.
export function isPending(status: number): boolean {
  return status === 0xff00 || status === 0xff01;
}
export function isWarning(status: number): boolean {
  return status === 0x0001 || (status >= 0xb000 && status <= 0xbfff);
}
export function statusText(status: number, comment?: string): string {
  const hex = `0x${status.toString(16).toUpperCase().padStart(4, '0')}`;
  let what = 'failure';
  if (status === 0) what = 'success';
  else if (isWarning(status)) what = 'warning';
  else if (status === 0xfe00) what = 'cancelled';
  else if ((status & 0xff00) === 0xa700) what = 'out of resources';
  else if ((status & 0xff00) === 0xa900) what = 'data set does not match the SOP class';
  else if ((status & 0xf000) === 0xc000) what = 'cannot understand';
  else if (status === 0x0122) what = 'SOP class not supported';
  else if (status === 0x0124) what = 'not authorised';
  else if (status === 0x0211) what = 'unrecognised operation';
  else if (status === 0x0110) what = 'processing failure';
  return `status ${hex}, ${what}${comment ? `: ${comment.trim()}` : ''}`;
}

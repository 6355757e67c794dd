// PACS settings: the nodes the app talks to, read from a JSON file and validated strictly (unknown
// keys, bad AE titles, ports or hosts are refused with one sentence), plus `AET@HOST:PORT` specs.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FlatError } from '../core/errors';

/** Optional DICOM TLS (PS3.15 B.1): PEM file paths, resolved against the settings file's folder. */
export interface PacsTls {
  /** trusted CA certificate(s) for the server */
  ca?: string;
  /** client certificate, for servers that require one (needs key) */
  cert?: string;
  /** client private key (needs cert) */
  key?: string;
}

export interface PacsNode {
  /** name used on the command line and in the UI (the key in the settings file) */
  name: string;
  /** called AE title of the remote node */
  aeTitle: string;
  host: string;
  port: number;
  tls?: PacsTls;
  /** how series are retrieved: C-GET on our association (default) or C-MOVE to our storage SCP */
  retrieve?: 'get' | 'move';
}

export interface PacsTimeouts {
  /** TCP connect (and socket idle) limit */
  connectMs: number;
  /** association request → accept/reject */
  associationMs: number;
  /** silence between two PDUs once associated */
  pduMs: number;
}

export interface PacsSettings {
  /** our calling AE title (also the AE title of any SCP we run) */
  localAeTitle: string;
  nodes: PacsNode[];
  timeouts: PacsTimeouts;
  /** extra attempts for an instance whose C-STORE failed (0–5) */
  retries: number;
  /** where retrieved series are cached (absolute) */
  cacheDir?: string;
  /** our storage SCP for C-MOVE (nodes with "retrieve": "move"): listens there while a retrieval runs */
  storageScp?: { host: string; port: number };
}

export const DEFAULT_LOCAL_AE = 'FLATVIEWER';
export const DEFAULT_TIMEOUTS: PacsTimeouts = { connectMs: 10_000, associationMs: 10_000, pduMs: 30_000 };
export const DEFAULT_RETRIES = 2;

function bad(message: string, file?: string): FlatError {
  return new FlatError('invalid-request', message, file);
}

/**
 * AE title rule (PS3.5 6.2, VR AE): 1–16 characters of the default character repertoire without
 * backslash or control characters; leading/trailing spaces are not significant, so refuse them
 * rather than guess, and refuse an all-space title.
 */
export function checkAeTitle(value: unknown, what: string): string {
  if (typeof value !== 'string') throw bad(`${what} must be a string (an AE title).`);
  if (value.length < 1 || value.length > 16) throw bad(`${what} "${value}" must be 1 to 16 characters long.`);
  if (!/^[\x20-\x5b\x5d-\x7e]+$/.test(value)) throw bad(`${what} "${value}" may hold only printable ASCII characters other than backslash.`);
  if (value.trim() !== value || value.trim() === '') throw bad(`${what} "${value}" must not start or end with a space.`);
  return value;
}

/** Host name (RFC 1123 labels), IPv4 dotted quad, or a bracket-less IPv6 literal. */
export function checkHost(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw bad(`${what} must be a host name or an IP address.`);
  const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
  const name = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
  const ipv6 = /^[0-9A-Fa-f:.]{2,45}$/;
  if (ipv4.test(value) || (name.test(value) && !/^\d+(\.\d+)*$/.test(value)) || (value.includes(':') && ipv6.test(value))) return value;
  throw bad(`${what} "${value}" is not a valid host name or IP address.`);
}

export function checkPort(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) throw bad(`${what} must be an integer port from 1 to 65535.`);
  return value;
}

/** `AET@HOST:PORT` (IPv6 as `AET@[::1]:PORT`) → a node named after the spec. */
export function parseNodeSpec(spec: string): PacsNode {
  const m = /^([^@]+)@(\[[^\]]+\]|[^:@[\]]+):(\d{1,5})$/.exec(spec);
  if (!m) throw bad(`"${spec}" is not a PACS node; write it as AET@HOST:PORT (e.g. ORTHANC@127.0.0.1:4242).`);
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
  return {
    name: spec,
    aeTitle: checkAeTitle(m[1], 'The AE title'),
    host: checkHost(host, 'The host'),
    port: checkPort(Number(m[3]), 'The port'),
  };
}

function onlyKeys(obj: Record<string, unknown>, allowed: string[], where: string, file: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw bad(`${path.basename(file)}: unknown key "${k}" in ${where} (allowed: ${allowed.join(', ')}).`, file);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function intIn(v: unknown, lo: number, hi: number, what: string, file: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw bad(`${path.basename(file)}: ${what} must be an integer from ${lo} to ${hi}.`, file);
  return v;
}

/**
 * Validate a parsed settings object. Format:
 * { "localAeTitle": "FLATVIEWER", "retries": 2, "cacheDir": "cache", "storageScp": { "host": "127.0.0.1", "port": 11112 },
 *   "timeouts": { "connectMs": 10000, "associationMs": 10000, "pduMs": 30000 },
 *   "nodes": { "main": { "aeTitle": "ORTHANC", "host": "127.0.0.1", "port": 4242, "retrieve": "get" | "move",
 *                        "tls": { "ca": "ca.pem", "cert": "me.pem", "key": "me.key" } } } }
 * Relative paths (cacheDir, tls files) are resolved against the file's folder.
 */
export function validatePacsSettings(raw: unknown, file = 'settings'): PacsSettings {
  const where = path.basename(file);
  if (!isObject(raw)) throw bad(`${where}: the PACS settings must be a JSON object.`, file);
  onlyKeys(raw, ['localAeTitle', 'nodes', 'timeouts', 'retries', 'cacheDir', 'storageScp'], 'the settings', file);
  const base = path.dirname(path.resolve(file));
  const withFile = (f: () => string | number): string | number => {
    try {
      return f();
    } catch (e) {
      if (e instanceof FlatError) throw bad(`${where}: ${e.message}`, file);
      throw e;
    }
  };
  const localAeTitle = raw.localAeTitle === undefined ? DEFAULT_LOCAL_AE : (withFile(() => checkAeTitle(raw.localAeTitle, 'localAeTitle')) as string);
  const timeouts = { ...DEFAULT_TIMEOUTS };
  if (raw.timeouts !== undefined) {
    if (!isObject(raw.timeouts)) throw bad(`${where}: timeouts must be an object.`, file);
    onlyKeys(raw.timeouts, ['connectMs', 'associationMs', 'pduMs'], 'timeouts', file);
    for (const k of ['connectMs', 'associationMs', 'pduMs'] as const) {
      if (raw.timeouts[k] !== undefined) timeouts[k] = intIn(raw.timeouts[k], 100, 600_000, `timeouts.${k}`, file);
    }
  }
  const retries = raw.retries === undefined ? DEFAULT_RETRIES : intIn(raw.retries, 0, 5, 'retries', file);
  let cacheDir: string | undefined;
  if (raw.cacheDir !== undefined) {
    if (typeof raw.cacheDir !== 'string' || raw.cacheDir === '') throw bad(`${where}: cacheDir must be a folder path.`, file);
    cacheDir = path.resolve(base, raw.cacheDir);
  }
  let storageScp: PacsSettings['storageScp'];
  if (raw.storageScp !== undefined) {
    if (!isObject(raw.storageScp)) throw bad(`${where}: storageScp must be an object { "host", "port" }.`, file);
    onlyKeys(raw.storageScp, ['host', 'port'], 'storageScp', file);
    const scp = raw.storageScp;
    storageScp = {
      host: scp.host === undefined ? '127.0.0.1' : (withFile(() => checkHost(scp.host, 'storageScp host')) as string),
      port: withFile(() => checkPort(scp.port, 'storageScp port')) as number,
    };
  }
  if (!isObject(raw.nodes)) throw bad(`${where}: "nodes" must be an object of named PACS nodes.`, file);
  const nodes: PacsNode[] = [];
  for (const [name, n] of Object.entries(raw.nodes)) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw bad(`${where}: node name "${name}" may hold only letters, digits, "_", "." and "-".`, file);
    if (!isObject(n)) throw bad(`${where}: node "${name}" must be an object.`, file);
    onlyKeys(n, ['aeTitle', 'host', 'port', 'tls', 'retrieve'], `node "${name}"`, file);
    const node: PacsNode = {
      name,
      aeTitle: withFile(() => checkAeTitle(n.aeTitle, `node "${name}" aeTitle`)) as string,
      host: withFile(() => checkHost(n.host, `node "${name}" host`)) as string,
      port: withFile(() => checkPort(n.port, `node "${name}" port`)) as number,
    };
    if (n.retrieve !== undefined) {
      if (n.retrieve !== 'get' && n.retrieve !== 'move') throw bad(`${where}: node "${name}" retrieve must be "get" or "move".`, file);
      if (n.retrieve === 'move' && raw.storageScp === undefined) throw bad(`${where}: node "${name}" retrieves by C-MOVE, which needs "storageScp": { "port": … } (where the PACS sends the instances).`, file);
      node.retrieve = n.retrieve;
    }
    if (n.tls !== undefined) {
      if (!isObject(n.tls)) throw bad(`${where}: node "${name}" tls must be an object.`, file);
      onlyKeys(n.tls, ['ca', 'cert', 'key'], `node "${name}" tls`, file);
      const tls: PacsTls = {};
      for (const k of ['ca', 'cert', 'key'] as const) {
        const v = n.tls[k];
        if (v === undefined) continue;
        if (typeof v !== 'string' || v === '') throw bad(`${where}: node "${name}" tls.${k} must be a file path.`, file);
        tls[k] = path.resolve(base, v);
        if (!existsSync(tls[k]!)) throw bad(`${where}: node "${name}" tls.${k} file ${tls[k]} does not exist.`, file);
      }
      if ((tls.cert === undefined) !== (tls.key === undefined)) throw bad(`${where}: node "${name}" tls needs both cert and key, or neither.`, file);
      node.tls = tls;
    }
    nodes.push(node);
  }
  return { localAeTitle, nodes, timeouts, retries, ...(cacheDir ? { cacheDir } : {}), ...(storageScp ? { storageScp } : {}) };
}

export function loadPacsSettings(file: string): PacsSettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new FlatError('io', `Cannot read the PACS settings file ${file}.`, file);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw bad(`${path.basename(file)} is not valid JSON (${(e as Error).message}).`, file);
  }
  return validatePacsSettings(raw, file);
}

/** A node by settings name, or an `AET@HOST:PORT` spec. */
export function resolveNode(nameOrSpec: string, settings?: PacsSettings): PacsNode {
  const named = settings?.nodes.find((n) => n.name === nameOrSpec);
  if (named) return named;
  if (nameOrSpec.includes('@')) return parseNodeSpec(nameOrSpec);
  const known = settings?.nodes.map((n) => n.name).join(', ');
  throw bad(`No PACS node "${nameOrSpec}"${known ? ` (known: ${known})` : ''}; give a node name from the settings file or AET@HOST:PORT.`);
}

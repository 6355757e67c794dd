// Real DICOM servers for the PACS tests, each started as a child process on 127.0.0.1 and stopped by
// its process id: Debian's Orthanc (the PACS: C-ECHO/C-STORE/C-FIND/C-GET SCP plus its REST API) and
// dcmtk's storescp (a second, independent C-STORE SCP). Every server keeps its files in a temp dir.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import path from 'node:path';
import { tempDir } from '../../test/helpers';

// Servers still running when this process exits (a failed test, an interrupted run) are killed by pid,
// so none is left behind.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) {
    try {
      if (c.pid !== undefined && c.exitCode === null) process.kill(c.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** True once something accepts TCP connections on 127.0.0.1:port. */
async function waitForPort(port: number, ms: number, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && child.exitCode === null) {
    const open = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (open) return true;
    await sleep(100);
  }
  return false;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    const timer = setTimeout(() => {
      try {
        process.kill(child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

export interface OrthancServer {
  aeTitle: string;
  dicomPort: number;
  httpPort: number;
  dir: string;
  pid: number;
  /** GET (or POST with a JSON body) on the REST API, parsed JSON. */
  rest<T = unknown>(route: string, body?: unknown): Promise<T>;
  /** SIGTERM (SIGKILL after 5 s), then remove its temp dir. */
  stop(): Promise<void>;
}

export interface OrthancOptions {
  aeTitle?: string;
  /** AE titles allowed to call in (each registered as a modality on 127.0.0.1). */
  clients?: string[];
  /** C-MOVE destinations: AE title → port of a storage SCP on 127.0.0.1 (AllowMove for every client). */
  moveTargets?: Record<string, number>;
  /** DICOM TLS only on the DICOM port (PEM files): the server's certificate and key, and the CA(s) of the clients. */
  tls?: { cert: string; key: string; trustedClients: string; clientCertificateRequired?: boolean };
}

/**
 * Start Orthanc with a minimal configuration in a temp dir: DICOM and HTTP on random free ports,
 * HTTP refused to anything but localhost, called AE title checked, only the known calling AE titles
 * from 127.0.0.1 allowed (Orthanc 1.10 has no bind-address option, so the modality list with
 * DicomCheckModalityHost is what keeps it to this machine), storage in the temp dir.
 */
export async function startOrthanc(opts: OrthancOptions = {}): Promise<OrthancServer> {
  const aeTitle = opts.aeTitle ?? 'ORTHANC_TEST';
  const dir = tempDir('flat-orthanc-');
  const dicomPort = await freePort();
  const httpPort = await freePort();
  const modalities: Record<string, unknown> = {};
  const moves = opts.moveTargets ?? {};
  for (const aet of opts.clients ?? ['FLATVIEWER']) {
    modalities[aet.toLowerCase()] = {
      AET: aet,
      Host: '127.0.0.1',
      Port: moves[aet] ?? 104, // called back only for a C-MOVE to this AE title
      AllowEcho: true,
      AllowFind: true,
      AllowGet: true,
      AllowMove: Object.keys(moves).length > 0,
      AllowStore: true,
      ...(opts.tls ? { UseDicomTls: true } : {}),
    };
  }
  for (const [aet, port] of Object.entries(moves)) {
    if (modalities[aet.toLowerCase()]) continue;
    modalities[aet.toLowerCase()] = { AET: aet, Host: '127.0.0.1', Port: port, AllowEcho: false, AllowFind: false, AllowGet: false, AllowMove: false, AllowStore: false };
  }
  const config = {
    Name: 'FLAT-TEST',
    StorageDirectory: path.join(dir, 'db'),
    IndexDirectory: path.join(dir, 'db'),
    TemporaryDirectory: path.join(dir, 'tmp'),
    Plugins: [],
    HttpServerEnabled: true,
    HttpPort: httpPort,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    OrthancExplorerEnabled: false,
    WebDavEnabled: false,
    DicomServerEnabled: true,
    DicomAet: aeTitle,
    DicomPort: dicomPort,
    DicomCheckCalledAet: true,
    DicomCheckModalityHost: true,
    DicomAlwaysAllowEcho: false,
    DicomAlwaysAllowStore: false,
    DicomAlwaysAllowFind: false,
    DicomAlwaysAllowGet: false,
    DicomAlwaysAllowMove: false,
    DicomModalities: modalities,
    DicomScpTimeout: 30,
    StorageCompression: false,
    ConcurrentJobs: 1,
    DicomThreadsCount: 2,
    HttpThreadsCount: 4,
    StableAge: 1,
    DicomAssociationCloseDelay: 0,
    SaveJobs: false,
    ...(opts.tls
      ? {
          DicomTlsEnabled: true,
          DicomTlsCertificate: opts.tls.cert,
          DicomTlsPrivateKey: opts.tls.key,
          DicomTlsTrustedCertificates: opts.tls.trustedClients,
          DicomTlsRemoteCertificateRequired: opts.tls.clientCertificateRequired ?? true,
        }
      : {}),
  };
  mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  writeFileSync(path.join(dir, 'orthanc.json'), JSON.stringify(config, null, 2));
  // Log straight to a file (not a pipe), so a test blocked in spawnSync never stalls the server.
  const log = openSync(path.join(dir, 'orthanc.log'), 'a');
  const child = track(spawn('Orthanc', [path.join(dir, 'orthanc.json')], { cwd: dir, stdio: ['ignore', log, log] }));
  closeSync(log);
  const base = `http://127.0.0.1:${httpPort}`;
  const rest = async <T>(route: string, body?: unknown): Promise<T> => {
    const res = await fetch(base + route, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`Orthanc ${route}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Orthanc exited at start-up:\n${readFileSync(path.join(dir, 'orthanc.log'), 'utf8').slice(-2000)}`);
    try {
      await rest('/system');
      break;
    } catch {
      if (Date.now() > deadline) {
        await stopChild(child);
        throw new Error('Orthanc did not start within 20 s.');
      }
      await sleep(100);
    }
  }
  // The REST API may answer slightly before the DICOM listener does; wait for that port too.
  if (!(await waitForPort(dicomPort, 10_000, child))) {
    await stopChild(child);
    throw new Error('Orthanc did not open its DICOM port within 10 s.');
  }
  return {
    aeTitle,
    dicomPort,
    httpPort,
    dir,
    pid: child.pid!,
    rest,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface StoreScp {
  aeTitle: string;
  port: number;
  dir: string;
  pid: number;
  stop(): Promise<void>;
}

/** dcmtk's storescp: accepts C-STORE (and C-ECHO) for a known AE title, one file per instance in dir. */
export async function startStoreScp(aeTitle = 'DCMTK_SCP'): Promise<StoreScp> {
  const dir = tempDir('flat-storescp-');
  const port = await freePort();
  const log = openSync(`${dir}.log`, 'a');
  // Defaults otherwise: the storage SOP classes, uncompressed transfer syntaxes, one file per instance.
  const child = track(
    spawn('storescp', ['--aetitle', aeTitle, '--output-directory', dir, '--acse-timeout', '10', '--dimse-timeout', '10', String(port)], {
      stdio: ['ignore', log, log],
    }),
  );
  closeSync(log);
  if (!(await waitForPort(port, 10_000, child))) {
    await stopChild(child);
    throw new Error('storescp did not start within 10 s.');
  }
  return {
    aeTitle,
    port,
    dir,
    pid: child.pid!,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${dir}.log`, { force: true });
    },
  };
}

export interface TestPki {
  dir: string;
  /** the CA that signed the server and client certificates */
  ca: string;
  server: { cert: string; key: string };
  client: { cert: string; key: string };
  /** a second CA that signed nothing here (a client trusting only it must refuse the server) */
  otherCa: string;
}

/** A throwaway PKI made with openssl: CA, server certificate for IP 127.0.0.1, client certificate. */
export function makeTestPki(): TestPki {
  const dir = tempDir('flat-pki-');
  const f = (n: string) => path.join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ca = (name: string, cn: string) => ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-subj', `/CN=${cn}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.pem`));
  ca('ca', 'FLAT test CA');
  ca('other-ca', 'Some other CA');
  const leaf = (name: string, cn: string, ext: string) => {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-subj', `/CN=${cn}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`));
    writeFileSync(f(`${name}.ext`), ext);
    ssl('x509', '-req', '-sha256', '-days', '2', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-extfile', f(`${name}.ext`), '-out', f(`${name}.pem`));
  };
  leaf('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  leaf('client', 'FLATVIEWER', 'extendedKeyUsage=clientAuth,serverAuth\n');
  return { dir, ca: f('ca.pem'), server: { cert: f('server.pem'), key: f('server.key') }, client: { cert: f('client.pem'), key: f('client.key') }, otherCa: f('other-ca.pem') };
}

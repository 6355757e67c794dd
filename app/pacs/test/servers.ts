// Real DICOM servers for the PACS tests, each started as a child process on 127.0.0.1 and stopped by
// its process id: Debian's Orthanc (the PACS: C-ECHO/C-STORE/C-FIND/C-GET SCP plus its REST API) and
// dcmtk's storescp (a second, independent C-STORE SCP). Every server keeps its files in a temp dir.

import { spawn, type ChildProcess } from 'node:child_process';
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
  for (const aet of opts.clients ?? ['FLATVIEWER']) {
    modalities[aet.toLowerCase()] = {
      AET: aet,
      Host: '127.0.0.1',
      Port: 104, // never called back: retrieval uses C-GET on the same association
      AllowEcho: true,
      AllowFind: true,
      AllowGet: true,
      AllowMove: false,
      AllowStore: true,
    };
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

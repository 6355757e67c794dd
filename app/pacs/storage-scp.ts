// The app's own storage SCP, for retrieval by C-MOVE: the PACS opens an association to us and
// C-STOREs the instances. It listens only where the settings say (default 127.0.0.1), accepts only
// associations called with our AE title from the AE titles of configured nodes, accepts storage SOP
// classes (and verification) in uncompressed little-endian syntaxes, and hands each instance to the
// sink that waits for its series; an instance nobody waits for is refused (0xA801-like: out of
// resources), never written.

import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import dimse from 'dcmjs-dimse';
import { FlatError } from '../core/errors';

const { Scp } = dimse;
const { CEchoResponse, CStoreResponse } = dimse.responses;
const { PresentationContextResult, RejectResult, RejectSource, RejectReason, SopClass, StorageClass, TransferSyntax } = dimse.constants;

/** Where the storage SCP listens (settings `storageScp`). */
export interface StorageScpSettings {
  /** default 127.0.0.1; the PACS must be able to reach it */
  host?: string;
  port: number;
}

type Dataset = InstanceType<typeof dimse.Dataset>;

/** Receives the instances of one series; returns false when it cannot keep one. */
export type InstanceSink = (ds: Dataset) => boolean;

const STORAGE_CLASSES = new Set<string>(Object.values(StorageClass as Record<string, string>));
const SYNTAXES = [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian] as string[];

export class StorageScp {
  private server: TcpServer | undefined;
  private readonly sinks = new Map<string, InstanceSink>();
  private readonly sockets = new Set<Socket>();
  /** instances refused because no retrieval waited for their series */
  refused = 0;

  constructor(
    readonly aeTitle: string,
    /** AE titles allowed to call us (the configured nodes') */
    readonly callers: readonly string[],
    private readonly where: StorageScpSettings,
    private readonly tls?: { cert: Buffer; key: Buffer; ca?: Buffer },
  ) {}

  /** Instances of `seriesInstanceUid` go to `sink` until the returned function is called. */
  expect(seriesInstanceUid: string, sink: InstanceSink): () => void {
    this.sinks.set(seriesInstanceUid, sink);
    return () => {
      if (this.sinks.get(seriesInstanceUid) === sink) this.sinks.delete(seriesInstanceUid);
    };
  }

  address(): { host: string; port: number } {
    const a = this.server?.address();
    if (!a || typeof a === 'string') throw new FlatError('network', 'The storage SCP is not listening.');
    return { host: a.address, port: a.port };
  }

  async start(): Promise<void> {
    if (this.server) return;
    // the SCP subclass below needs both its own `this` (the association) and this store
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const owner = this;
    class FlatStoreScp extends Scp {
      override associationRequested(association: InstanceType<typeof dimse.association.Association>): void {
        if (association.getCalledAeTitle() !== owner.aeTitle) {
          this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CalledAeNotRecognized);
          return;
        }
        if (!owner.callers.includes(association.getCallingAeTitle())) {
          this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CallingAeNotRecognized);
          return;
        }
        for (const c of association.getPresentationContexts()) {
          const context = association.getPresentationContext(c.id);
          const abstract = context.getAbstractSyntaxUid();
          if (abstract !== SopClass.Verification && !STORAGE_CLASSES.has(abstract)) {
            context.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
            continue;
          }
          const ts = SYNTAXES.find((t) => context.getTransferSyntaxUids().includes(t));
          if (ts) context.setResult(PresentationContextResult.Accept, ts);
          else context.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
        }
        this.sendAssociationAccept();
      }

      override cEchoRequest(request: InstanceType<typeof dimse.requests.CEchoRequest>, callback: (r: InstanceType<typeof CEchoResponse>) => void): void {
        const response = CEchoResponse.fromRequest(request);
        response.setStatus(0x0000);
        callback(response);
      }

      override cStoreRequest(request: InstanceType<typeof dimse.requests.CStoreRequest>, callback: (r: InstanceType<typeof CStoreResponse>) => void): void {
        const response = CStoreResponse.fromRequest(request);
        let kept = false;
        try {
          const ds = request.getDataset();
          const sink = ds ? owner.sinks.get(String(ds.getElement('SeriesInstanceUID') ?? '')) : undefined;
          kept = !!(ds && sink && sink(ds));
        } catch {
          kept = false;
        }
        if (!kept) owner.refused++;
        response.setStatus(kept ? 0x0000 : 0xa700); // out of resources: not kept here
        callback(response);
      }

      override associationReleaseRequested(): void {
        this.sendAssociationReleaseResponse();
      }
    }
    const accept = (socket: Socket): void => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      const scp = new FlatStoreScp(socket, { associationTimeout: 30_000, pduTimeout: 60_000 }) as unknown as { connected: boolean };
      scp.connected = true;
    };
    const server = this.tls ? createTlsServer({ cert: this.tls.cert, key: this.tls.key, ca: this.tls.ca, minVersion: 'TLSv1.2' }, accept) : createTcpServer(accept);
    const host = this.where.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(new FlatError('network', `The storage SCP for C-MOVE cannot listen on ${host}:${this.where.port} (${e.code ?? e.message}).`)),
      );
      server.listen(this.where.port, host, () => resolve());
    });
    this.server = server;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const sock of this.sockets) sock.destroy();
    this.sockets.clear();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}

// DICOM UIDs under the UUID-derived root 2.25 (ISO/IEC 9834-8): no registered root needed.
import { randomUUID } from 'node:crypto';

export function newUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`;
}

import { closeSync, openSync, writeSync } from 'node:fs';
import { Deflate } from 'fflate';
import { AppError } from '../../shared/errors';

/**
 * A minimal streaming zip file writer whose local headers carry the real sizes and CRC (patched
 * in place once an entry ends) instead of data descriptors, because some readers (SheetJS's
 * for ODS) only trust local headers. No zip64: an entry or archive over 4 GiB is refused.
 */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(crc: number, data: Uint8Array): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

interface Entry {
  name: Uint8Array;
  method: 0 | 8;
  crc: number;
  csize: number;
  usize: number;
  offset: number;
}

const MAX = 0xffffffff;

export interface ZipEntryWriter {
  push(chunk: Uint8Array): void;
  end(): void;
}

export class ZipFileWriter {
  private readonly fd: number;
  private offset = 0;
  private readonly entries: Entry[] = [];
  private closed = false;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  private write(data: Uint8Array, at?: number): void {
    let off = 0;
    while (off < data.length) off += writeSync(this.fd, data, off, data.length - off, at === undefined ? null : at + off);
    if (at === undefined) this.offset += data.length;
    if (this.offset > MAX)
      throw new AppError('EXPORT_LIMIT_EXCEEDED', 'The workbook would be larger than 4 GiB.', { fix: 'Download as CSV or Parquet, which have no size limit.' });
  }

  /** Starts an entry (stored or deflated); entries are written one after the other. */
  entry(name: string, method: 0 | 8 = 8): ZipEntryWriter {
    const e: Entry = { name: new TextEncoder().encode(name), method, crc: 0, csize: 0, usize: 0, offset: this.offset };
    this.entries.push(e);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(0x0800, 6);
    h.writeUInt16LE(method, 8);
    h.writeUInt16LE(0, 10);
    h.writeUInt16LE(0x21, 12); // 1980-01-01
    h.writeUInt16LE(e.name.length, 26);
    this.write(h);
    this.write(e.name);
    const out = (data: Uint8Array): void => {
      e.csize += data.length;
      this.write(data);
    };
    const deflate = method === 8 ? new Deflate({ level: 6 }, (data) => out(data)) : null;
    const grow = (chunk: Uint8Array): void => {
      e.crc = crc32(e.crc, chunk);
      e.usize += chunk.length;
      if (e.usize > MAX)
        throw new AppError('EXPORT_LIMIT_EXCEEDED', `The workbook part ${name} would be larger than 4 GiB.`, {
          fix: 'Download as CSV or Parquet, which have no size limit.',
        });
    };
    return {
      push: (chunk) => {
        grow(chunk);
        if (deflate) deflate.push(chunk);
        else out(chunk);
      },
      end: () => {
        deflate?.push(new Uint8Array(0), true);
        const sizes = Buffer.alloc(12);
        sizes.writeUInt32LE(e.crc, 0);
        sizes.writeUInt32LE(e.csize, 4);
        sizes.writeUInt32LE(e.usize, 8);
        this.write(sizes, e.offset + 14);
      },
    };
  }

  /** Writes the central directory and closes the file. */
  finish(): void {
    const start = this.offset;
    for (const e of this.entries) {
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(20, 4);
      c.writeUInt16LE(20, 6);
      c.writeUInt16LE(0x0800, 8);
      c.writeUInt16LE(e.method, 10);
      c.writeUInt16LE(0, 12);
      c.writeUInt16LE(0x21, 14);
      c.writeUInt32LE(e.crc, 16);
      c.writeUInt32LE(e.csize, 20);
      c.writeUInt32LE(e.usize, 24);
      c.writeUInt16LE(e.name.length, 28);
      c.writeUInt32LE(e.offset, 42);
      this.write(c);
      this.write(e.name);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(this.offset - start, 12);
    end.writeUInt32LE(start, 16);
    this.write(end);
    this.close();
  }

  close(): void {
    if (!this.closed) closeSync(this.fd);
    this.closed = true;
  }
}

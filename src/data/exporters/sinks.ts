import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { Zip, ZipDeflate } from 'fflate';
import { publish } from './export-target';
import { tempPathFor } from '../platform/partial-files';

/** Bytes of one exported file (a table), pushed in order. */
export interface FileSink {
  push(chunk: Uint8Array): void;
  end(): void;
}

/** Where the exported files go: a bare file or a zip archive, written to a temp file renamed at the end. */
export interface ExportTarget {
  file(name: string): FileSink;
  /** Moves the temp file to the final path (replacing a file there only with force). */
  finish(): void;
  /** Removes the temp file; nothing is left at the final path. */
  discard(): void;
}

function writeAll(fd: number, chunk: Uint8Array): void {
  let off = 0;
  while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
}

/** A single bare file at outPath. */
export function bareTarget(outPath: string, force = false): ExportTarget {
  const tmp = tempPathFor(outPath);
  const fd = openSync(tmp, 'w');
  let closed = false;
  const close = (): void => {
    if (!closed) closeSync(fd);
    closed = true;
  };
  return {
    file: () => ({ push: (c) => writeAll(fd, c), end: () => undefined }),
    finish: () => {
      close();
      publish(tmp, outPath, force);
    },
    discard: () => {
      close();
      rmSync(tmp, { force: true });
    },
  };
}

/** A zip archive at outPath, one entry per file, streamed (deflate level 6). */
export function zipTarget(outPath: string, force = false): ExportTarget {
  const tmp = tempPathFor(outPath);
  const fd = openSync(tmp, 'w');
  let closed = false;
  let failure: Error | null = null;
  const zip = new Zip((err, data) => {
    if (err) failure = err;
    else if (data.length) writeAll(fd, data);
  });
  const check = (): void => {
    if (failure) throw failure;
  };
  const close = (): void => {
    if (!closed) closeSync(fd);
    closed = true;
  };
  return {
    file: (name) => {
      const entry = new ZipDeflate(name, { level: 6 });
      zip.add(entry);
      return {
        push: (c) => {
          entry.push(c);
          check();
        },
        end: () => {
          entry.push(new Uint8Array(0), true);
          check();
        },
      };
    },
    finish: () => {
      zip.end();
      check();
      close();
      publish(tmp, outPath, force);
    },
    discard: () => {
      try {
        zip.terminate();
      } catch {
        // already failed
      }
      close();
      rmSync(tmp, { force: true });
    },
  };
}

import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { Zip, ZipDeflate } from 'fflate';

/** Bytes of one exported file (a table), pushed in order. */
export interface FileSink {
  push(chunk: Uint8Array): void;
  end(): void;
}

/** Where the exported files go: a bare file or a zip archive, written to a temp file renamed at the end. */
export interface ExportTarget {
  file(name: string): FileSink;
  /** Renames the temp file to the final path. */
  finish(): void;
  /** Removes the temp file; nothing is left at the final path. */
  discard(): void;
}

function tempPath(outPath: string): string {
  return `${outPath}.partial-${process.pid}-${Date.now()}`;
}

function writeAll(fd: number, chunk: Uint8Array): void {
  let off = 0;
  while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
}

/** A single bare file at outPath. */
export function bareTarget(outPath: string): ExportTarget {
  const tmp = tempPath(outPath);
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
      renameSync(tmp, outPath);
    },
    discard: () => {
      close();
      rmSync(tmp, { force: true });
    },
  };
}

/** A zip archive at outPath, one entry per file, streamed (deflate level 6). */
export function zipTarget(outPath: string): ExportTarget {
  const tmp = tempPath(outPath);
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
      renameSync(tmp, outPath);
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

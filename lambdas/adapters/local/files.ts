import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, link, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p` that always ends. Node's recursive mkdir spins forever at 100 % CPU where a parent
 * exists but creating a child answers ENOENT (`/proc/nope`): here each missing level is created
 * once, from the nearest existing ancestor down, and such a refusal is reported.
 */
export async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    const found = await stat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (found !== null) {
      if (found.isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${current}'`), { code: 'ENOTDIR' });
    }
    missing.push(current);
    if (dirname(current) === current) break;
  }
  for (const level of missing.reverse()) {
    try {
      await mkdir(level);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code === 'ENOENT') {
        throw Object.assign(
          new Error(`cannot create the directory ${level}: this file system does not allow it (ENOENT)`),
          { code },
        );
      }
      throw error;
    }
  }
}

/** Writes a file atomically (temp file + rename) so a crash never leaves half a record. */
export async function writeFileAtomic(path: string, data: string, mode = 0o644): Promise<void> {
  await makeDirs(dirname(path));
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data, { mode });
    await rename(temp, path);
  } catch (error) {
    // A failed write or rename must not leave the temp file behind (nor hide the real error).
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Errors of `link` on file systems without hard links (FAT, some network mounts). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * Creates `path` holding `data` unless it exists; false when it does (exactly one of several
 * concurrent creators gets true). The file appears complete or not at all: `data` is written and
 * synced to a temp file, which is then hard-linked to `path` (`link` fails with EEXIST atomically).
 * On file systems without hard links it falls back to O_CREAT|O_EXCL, where a crash between
 * creating and writing can leave the file empty.
 */
export async function createExclusive(path: string, data: string): Promise<boolean> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeSynced(temp, data);
    try {
      await link(temp, path);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') return false;
      if (!NO_HARD_LINKS.has(code)) throw error;
    }
    try {
      await writeSynced(path, data);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  } finally {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

/** Creates `path` exclusively (`wx`), writes `data` and syncs it to disk. */
async function writeSynced(path: string, data: string): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** File contents, or null when the file does not exist. */
export async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Makes an id safe as one path segment. */
export function segment(id: string): string {
  const safe = id.replace(/[^A-Za-z0-9_.-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return safe === '.' || safe === '..' ? `%2e${safe.slice(1)}` : safe;
}

/**
 * Appends one line with a single write call (appends of a few hundred bytes are not interleaved
 * between processes). Never through a symbolic link: O_NOFOLLOW makes open fail with ELOOP.
 */
export async function appendLine(path: string, line: string): Promise<void> {
  const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;
  let handle: FileHandle;
  try {
    handle = await open(path, flags, 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new Error(`${path} is a symbolic link; refusing to write through it`, { cause: error });
    }
    throw error;
  }
  try {
    await handle.write(line);
  } finally {
    await handle.close();
  }
}

/**
 * Moves an empty file older than `graceMs` out of the way (to `<path>.empty-…`), so it can be
 * created again; true when it is gone. A file with content, or a fresh one, is left alone.
 */
export async function setAsideIfEmpty(path: string, graceMs: number): Promise<boolean> {
  try {
    const info = await stat(path);
    if (info.size > 0 || Date.now() - info.mtimeMs < graceMs) return false;
    await rename(path, `${path}.empty-${randomBytes(4).toString('hex')}`);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/** One JSON value and a newline, as every store file and timeline line is written. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

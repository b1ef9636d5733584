import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Writes a file atomically (temp file + rename) so a crash never leaves half a record. */
export async function writeFileAtomic(path: string, data: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
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

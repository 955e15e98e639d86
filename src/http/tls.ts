/**
 * HTTPS (`--tls-cert FILE --tls-key FILE`): the PEM files read and checked
 * once at start, each problem one line naming the file (missing, unreadable,
 * not PEM, key not matching the certificate).
 */
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';

/** Paths of the PEM certificate (chain) and its private key. */
export interface TlsFiles {
  cert: string;
  key: string;
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

function why(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder';
  return err instanceof Error ? err.message : String(err);
}

const FLAG = { certificate: '--tls-cert', key: '--tls-key' } as const;

async function readPem(path: string, what: keyof typeof FLAG): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new Error(`cannot read the TLS ${what} ${path} (${FLAG[what]}): ${why(err)}`);
  }
}

/** Reads and checks the certificate and key; rejects with one line naming the file at fault. */
export async function loadTls(files: TlsFiles): Promise<TlsMaterial> {
  const cert = await readPem(files.cert, 'certificate');
  const key = await readPem(files.key, 'key');
  try {
    createSecureContext({ cert });
  } catch (err) {
    throw new Error(`the TLS certificate ${files.cert} (--tls-cert) is not a PEM certificate: ${why(err)}`);
  }
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH') {
      throw new Error(
        `the TLS key ${files.key} (--tls-key) does not belong to the certificate ${files.cert}`,
      );
    }
    throw new Error(`the TLS key ${files.key} (--tls-key) is not a PEM private key: ${why(err)}`);
  }
  return { cert, key };
}

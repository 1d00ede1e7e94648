import fs from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import type { Config } from '../config.js';
import { WorklinkError } from '../errors.js';

export interface TlsFiles {
  key: Buffer;
  cert: Buffer;
  keyPath: string;
  certPath: string;
  /** True when this call generated a new self-signed certificate. */
  generated: boolean;
}

const lifetimeDays = 365;
// Renew a little before expiry so a running install never serves an expired certificate.
const renewBeforeMs = 7 * 24 * 60 * 60 * 1000;

function readPair(certPath: string, keyPath: string): { cert: Buffer; key: Buffer } {
  for (const [name, file] of [
    ['WORKLINK_TLS_CERT', certPath],
    ['WORKLINK_TLS_KEY', keyPath],
  ] as const) {
    if (!fs.existsSync(file)) {
      throw new WorklinkError('WORKLINK_CONFIG_INVALID', {
        en: `${name} names "${file}", which does not exist: fix the path, or unset both TLS variables to generate a certificate.`,
        pl: `${name} wskazuje plik "${file}", który nie istnieje: popraw ścieżkę albo usuń obie zmienne TLS, aby serwer wygenerował certyfikat.`,
      });
    }
  }
  return { cert: fs.readFileSync(certPath), key: fs.readFileSync(keyPath) };
}

function isFresh(certPath: string): boolean {
  try {
    const certificate = new X509Certificate(fs.readFileSync(certPath));
    return Date.parse(certificate.validTo) - Date.now() > renewBeforeMs;
  } catch {
    return false;
  }
}

/**
 * Returns the HTTPS key and certificate: the files named by
 * `WORKLINK_TLS_CERT`/`WORKLINK_TLS_KEY`, or a self-signed certificate for
 * localhost, 127.0.0.1 and ::1 kept under `<dataDir>/tls` and regenerated
 * when it is missing or expires within a week.
 */
export async function loadTlsFiles(config: Readonly<Config>): Promise<TlsFiles> {
  if (config.tlsCert !== undefined && config.tlsKey !== undefined) {
    return {
      ...readPair(config.tlsCert, config.tlsKey),
      certPath: config.tlsCert,
      keyPath: config.tlsKey,
      generated: false,
    };
  }

  const directory = path.join(config.dataDir, 'tls');
  const certPath = path.join(directory, 'localhost.crt');
  const keyPath = path.join(directory, 'localhost.key');
  if (fs.existsSync(keyPath) && isFresh(certPath)) {
    return { ...readPair(certPath, keyPath), certPath, keyPath, generated: false };
  }

  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + lifetimeDays * 24 * 60 * 60 * 1000);
  const pem = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  fs.mkdirSync(directory, { recursive: true });
  fs.writeFileSync(keyPath, pem.private, { mode: 0o600 });
  fs.writeFileSync(certPath, pem.cert);
  return { key: Buffer.from(pem.private), cert: Buffer.from(pem.cert), certPath, keyPath, generated: true };
}

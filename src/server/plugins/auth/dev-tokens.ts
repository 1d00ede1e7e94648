import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { WorklinkError } from '../../errors.js';
import type { TokenVerifier, VerifiedIdentity } from './token-verifier.js';

const issuer = 'worklink-dev';
const audience = 'worklink-api';
const lifetimeSeconds = 12 * 60 * 60;

/** Name of the HMAC secret file in the data directory; kept across restarts so issued tokens stay valid. */
export const devSecretFileName = 'dev-token-secret';

/** Reads the dev signing secret from `dataDir`, creating a random 256-bit one (mode 0600) on first use. */
export function loadDevSecret(dataDir: string): Uint8Array {
  const file = path.join(dataDir, devSecretFileName);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    try {
      fs.writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process created it between the check and the write; use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
    }
  }
  return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
}

/** Issues and verifies HS256 dev tokens whose subject is the agent's address. */
export class DevTokens implements TokenVerifier {
  constructor(private readonly secret: Uint8Array) {}

  async issue(email: string): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(email.toLowerCase())
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(`${lifetimeSeconds}s`)
      .sign(this.secret);
  }

  async verify(token: string): Promise<VerifiedIdentity> {
    try {
      const { payload } = await jwtVerify(token, this.secret, { issuer, audience, algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || payload.sub === '') {
        throw new WorklinkError('WORKLINK_AUTH_INVALID', {
          en: 'The dev token has no subject: request a new one.',
          pl: 'Token deweloperski nie ma podmiotu (sub): poproś o nowy.',
        });
      }
      return { email: payload.sub.toLowerCase() };
    } catch (error) {
      if (error instanceof WorklinkError) {
        throw error;
      }
      if (error instanceof joseErrors.JWTExpired) {
        throw new WorklinkError(
          'WORKLINK_AUTH_INVALID',
          { en: 'The dev token has expired: request a new one.', pl: 'Token deweloperski wygasł: poproś o nowy.' },
          { cause: error },
        );
      }
      throw new WorklinkError(
        'WORKLINK_AUTH_INVALID',
        {
          en: 'The dev token is invalid: request a new one with POST /api/v1/dev/tokens.',
          pl: 'Token deweloperski jest nieprawidłowy: poproś o nowy przez POST /api/v1/dev/tokens.',
        },
        { cause: error },
      );
    }
  }
}

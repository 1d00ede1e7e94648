import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import { WorklinkError } from '../../errors.js';
import type { TokenVerifier, VerifiedIdentity } from './token-verifier.js';

/** Delegated scope that the add-in requests for the Worklink API. */
export const requiredScope = 'access_as_user';

export interface EntraOptions {
  tenantId: string;
  audience: string;
  jwksUrl: string;
}

function identityOf(payload: JWTPayload): string | undefined {
  // v2.0 access tokens carry preferred_username and v1.0 tokens carry upn. Guest accounts may only have email.
  for (const claim of ['preferred_username', 'upn', 'email']) {
    const value = payload[claim];
    if (typeof value === 'string' && value.includes('@')) {
      return value.toLowerCase();
    }
  }
  return undefined;
}

/**
 * Verifies Microsoft Entra ID v2.0 access tokens: RS256 signature against the
 * tenant's JWKS, issuer, audience, `tid`, expiry and the `access_as_user` scope.
 */
export class EntraTokens implements TokenVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;
  private readonly issuer: string;

  constructor(private readonly options: EntraOptions) {
    // jose 6 caches the key set and refetches it when a token names an unknown
    // `kid` (key rotation), at most once per cooldown period.
    this.keys = createRemoteJWKSet(new URL(options.jwksUrl), {
      cacheMaxAge: 60 * 60 * 1000,
      cooldownDuration: 30_000,
      timeoutDuration: 5_000,
    });
    this.issuer = `https://login.microsoftonline.com/${options.tenantId}/v2.0`;
  }

  async verify(token: string): Promise<VerifiedIdentity> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.issuer,
        audience: this.options.audience,
        algorithms: ['RS256'],
        clockTolerance: 60,
      }));
    } catch (error) {
      throw this.translate(error);
    }

    if (payload.tid !== this.options.tenantId) {
      throw new WorklinkError('WORKLINK_AUTH_INVALID', {
        en: `The access token is for tenant "${String(payload.tid)}", not this server's tenant: sign in with an account of the configured tenant.`,
        pl: `Token dostępu wystawiono dla dzierżawy "${String(payload.tid)}", a nie dla dzierżawy tego serwera: zaloguj się kontem ze skonfigurowanej dzierżawy.`,
      });
    }
    const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
    if (!scopes.includes(requiredScope)) {
      throw new WorklinkError('WORKLINK_AUTH_INVALID', {
        en: `The access token lacks the "${requiredScope}" scope: request it for the Worklink API and consent to it.`,
        pl: `Token dostępu nie ma zakresu "${requiredScope}": poproś o ten zakres dla API Worklink i wyraź na niego zgodę.`,
      });
    }
    const email = identityOf(payload);
    if (email === undefined) {
      throw new WorklinkError('WORKLINK_AUTH_INVALID', {
        en: 'The access token has no preferred_username, upn or email claim, so no agent can be matched.',
        pl: 'Token dostępu nie ma oświadczenia preferred_username, upn ani email, więc nie można dopasować agenta.',
      });
    }
    return { email };
  }

  private translate(error: unknown): WorklinkError {
    if (error instanceof joseErrors.JWTExpired) {
      return new WorklinkError(
        'WORKLINK_AUTH_INVALID',
        { en: 'The access token has expired: acquire a new one.', pl: 'Token dostępu wygasł: uzyskaj nowy.' },
        { cause: error },
      );
    }
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      return new WorklinkError(
        'WORKLINK_AUTH_INVALID',
        {
          en: `The access token's "${error.claim}" claim is not accepted (${error.reason}): request a token for this API and tenant.`,
          pl: `Oświadczenie "${error.claim}" tokenu dostępu nie zostało przyjęte (${error.reason}): poproś o token dla tego API i tej dzierżawy.`,
        },
        { cause: error },
      );
    }
    if (error instanceof joseErrors.JWKSNoMatchingKey) {
      return new WorklinkError(
        'WORKLINK_AUTH_INVALID',
        {
          en: "The access token's signing key is not in the tenant's key set: acquire a new token.",
          pl: 'Klucza, którym podpisano token dostępu, nie ma w zestawie kluczy dzierżawy: uzyskaj nowy token.',
        },
        { cause: error },
      );
    }
    if (
      error instanceof joseErrors.JWKSTimeout ||
      error instanceof joseErrors.JWKSInvalid ||
      error instanceof TypeError
    ) {
      return new WorklinkError(
        'WORKLINK_AUTH_KEYS_UNAVAILABLE',
        {
          en: 'The signing keys of the tenant could not be fetched: check WORKLINK_ENTRA_JWKS_URL and the network, then retry.',
          pl: 'Nie udało się pobrać kluczy podpisywania dzierżawy: sprawdź WORKLINK_ENTRA_JWKS_URL i połączenie sieciowe, a potem spróbuj ponownie.',
        },
        { cause: error },
      );
    }
    return new WorklinkError(
      'WORKLINK_AUTH_INVALID',
      {
        en: 'The access token is malformed or its signature is invalid: acquire a new one.',
        pl: 'Token dostępu ma nieprawidłową postać albo nieprawidłowy podpis: uzyskaj nowy.',
      },
      { cause: error },
    );
  }
}

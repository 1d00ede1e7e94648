/** Identity taken from a verified access token. */
export interface VerifiedIdentity {
  /** Lower-case address used to find the agent. */
  email: string;
}

/** Verifies a bearer token; rejects with a `WorklinkError` (401 or 503) when it is not acceptable. */
export interface TokenVerifier {
  verify(token: string): Promise<VerifiedIdentity>;
}

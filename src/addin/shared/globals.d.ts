/**
 * Origin of the Worklink server (scheme, host and port, no trailing slash), compiled in by
 * webpack's DefinePlugin from `WORKLINK_PUBLIC_ORIGIN` at build time.
 */
declare const __WORKLINK_API_ORIGIN__: string;

/**
 * Authentication settings compiled in by DefinePlugin from `WORKLINK_AUTH`,
 * `WORKLINK_ENTRA_CLIENT_ID`, `WORKLINK_ENTRA_TENANT_ID` and `WORKLINK_ENTRA_AUDIENCE`;
 * `src/addin/shared/auth-config.ts` validates them. Empty strings when unset.
 */
declare const __WORKLINK_AUTH_MODE__: string;
declare const __WORKLINK_ENTRA_CLIENT_ID__: string;
declare const __WORKLINK_ENTRA_TENANT_ID__: string;
declare const __WORKLINK_ENTRA_AUDIENCE__: string;

/**
 * Origin of the Worklink server (scheme, host and port, no trailing slash), compiled in by
 * webpack's DefinePlugin from `WORKLINK_PUBLIC_ORIGIN` at build time.
 */
declare const __WORKLINK_API_ORIGIN__: string;

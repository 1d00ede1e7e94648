import type { Configuration } from 'webpack';

export declare const DEV_ORIGIN: string;
export declare function resolvePublicOrigin(value: string | undefined): string;
export declare function rewriteManifestOrigin(xml: string, origin: string): string;
export default function createConfigs(env?: unknown, argv?: { mode?: string }): Configuration[];

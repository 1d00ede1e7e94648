import type { Compiler } from 'webpack';

export declare const LAUNCH_EVENT_GZIP_BUDGET_BYTES: number;
export declare function gzipSize(content: Buffer | string): number;
export declare class BundleSizePlugin {
  constructor(options: { entry: string; budgetBytes?: number });
  apply(compiler: Compiler): void;
}

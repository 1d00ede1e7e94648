/** The machine a bench ran on, for the report. */
import os from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  /** Nominal clock of the first core in MHz, as `os.cpus()` reports it. */
  cpuMhz: number;
  memoryGiB: number;
  node: string;
  platform: string;
  kernel: string;
}

export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    cpuMhz: cpus[0]?.speed ?? 0,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
  };
}
